import { z } from 'zod';
import { parseDuration } from '../core/duration.js';

/** A duration written `500ms`, `30s`, `5m`, `1h`; parsed to milliseconds. */
export function duration(opts: { min?: number } = {}) {
  const min = opts.min ?? 1;
  return z.string({ error: 'expected a duration such as 500ms, 30s or 5m' }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write it like 500ms, 30s, 5m or 1h` });
      return z.NEVER;
    }
    if (ms < min) {
      ctx.addIssue({ code: 'custom', message: `duration must be at least ${min}ms` });
      return z.NEVER;
    }
    return ms;
  });
}

/** host:port, as in `127.0.0.1:9464` or `[::1]:9464`. */
export const listenAddress = z.string().transform((text, ctx) => {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not host:port (for example 127.0.0.1:9464)` });
    return z.NEVER;
  }
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
});
