import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };
export type LogFormat = 'json' | 'pretty';

/**
 * Keys whose values are secrets wherever they appear in a logged object.
 * pino's redaction is path-based, so list the shapes config takes.
 */
const SECRET_PATHS = [
  'password', '*.password', '*.*.password',
  'community', '*.community', '*.*.community',
  'api_token', '*.api_token',
  'ack_links.key', '*.ack_links.key',
  'auth_key', '*.auth_key', 'priv_key', '*.priv_key',
  'authorization', '*.authorization', 'headers.authorization',
];

/**
 * `destination` defaults to stdout, written synchronously, as Go daemons and
 * syslog do. pino's own default writes asynchronously and flushes at
 * process.exit; sonic-boom 4 retries that last flush forever when the reader
 * is gone, so `kpid run | head -1` hung at exit with its main thread asleep
 * in Atomics.wait, deaf to SIGTERM (`write(1) = -1 EPIPE` every 100 ms). A
 * synchronous write meets EPIPE at once, and pino then stops logging. The
 * cost is that a reader which stops reading stops kpid at its next log line
 * (a line per event, never per sample), where an async logger would grow
 * without bound instead. Tests pass a stream to read what an operator sees.
 */
export function createLogger(format: LogFormat = 'json', level = process.env.KPID_LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'kpid' },
    redact: { paths: SECRET_PATHS, censor: '[secret]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (format === 'pretty') {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options, destination ?? pino.destination({ fd: 1, sync: true }));
}

/** A logger that drops everything, for tests that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
