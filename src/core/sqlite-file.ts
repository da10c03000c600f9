import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { KpidError, errorMessage } from './errors.js';

/**
 * Opens (creating when missing) kpid's SQLite file and applies `schema`.
 * The state store and the KPI rollup share the file, each with its own
 * connection: WAL lets them write without blocking readers, and
 * synchronous=NORMAL in WAL mode survives a process crash (only power loss
 * can drop the last transactions, which kill -9 is not).
 */
export function openSqliteFile(file: string, schema: string, what: { code: string; name: string }): Database.Database {
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(schema);
    return db;
  } catch (err) {
    throw new KpidError(what.code, `cannot open ${what.name} ${file}: ${errorMessage(err)}`, { file });
  }
}
