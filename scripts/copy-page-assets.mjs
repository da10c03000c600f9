// The status page's script and style are served from beside the compiled
// code (dist/http/page/assets); tsc copies only what it compiles.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/http/page/assets', import.meta.url), new URL('../dist/http/page/assets', import.meta.url), { recursive: true });
