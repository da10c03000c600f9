// The resolve hook of module-recorder.mjs (module hooks run on a thread of their own).
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (process.env.MODULE_RECORD_FILE) appendFileSync(process.env.MODULE_RECORD_FILE, `${resolved.url}\n`);
  return resolved;
}
