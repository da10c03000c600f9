// Issue 19's alert storm for 30 minutes (SOAK_MINUTES): bench/soak.bench.mjs
// with SOAK_SCENARIO=storm, which describes the setup. `npm run bench -- storm`.
import { spawnSync } from 'node:child_process';

const r = spawnSync(process.execPath, [new URL('soak.bench.mjs', import.meta.url).pathname], {
  stdio: 'inherit', env: { ...process.env, SOAK_SCENARIO: 'storm' },
});
process.exit(r.status ?? 1);
