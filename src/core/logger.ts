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

/** `destination` defaults to stdout; tests pass a stream to read what an operator would see. */
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
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything, for tests that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
