import type Database from 'better-sqlite3';
import { openSqliteFile } from '../../core/sqlite-file.js';
import type { Ack, Outage, OutboxEntry, Silence, StateStore, StoredAlert } from './state-store.js';
import { readStoredSilences, type UnreadableSilence } from './stored-silence.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alerts (fingerprint TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outages (
  id TEXT PRIMARY KEY, service TEXT NOT NULL, started_at INTEGER NOT NULL, restored_at INTEGER, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS outages_open ON outages (restored_at, started_at);
CREATE TABLE IF NOT EXISTS notifications_sent (id TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS acks (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS silences (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, due_at INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS links_seen_up (link TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rule_memory (key TEXT PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL);
`;

/**
 * The embedded state store: one SQLite file (default data/kpid.db) in WAL
 * mode. Every write is its own committed transaction, so a kill -9 loses
 * nothing that a method had returned from, except inside a batch
 * (beginBatch/commitBatch: one poll's transitions), which commits whole. better-sqlite3 is synchronous;
 * the async interface is for the Redis store's sake.
 */
export class SqliteStateStore implements StateStore {
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(readonly file = 'data/kpid.db') {
    this.db = openSqliteFile(file, SCHEMA, { code: 'state_open_failed', name: 'state database' });
    const db = this.db;
    this.stmt = {
      putAlert: db.prepare('INSERT INTO alerts (fingerprint, body) VALUES (?, ?) ON CONFLICT(fingerprint) DO UPDATE SET body = excluded.body'),
      deleteAlert: db.prepare('DELETE FROM alerts WHERE fingerprint = ?'),
      listAlerts: db.prepare('SELECT body FROM alerts ORDER BY fingerprint'),
      putOutage: db.prepare(`INSERT INTO outages (id, service, started_at, restored_at, body) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET service = excluded.service, started_at = excluded.started_at,
        restored_at = excluded.restored_at, body = excluded.body`),
      getOutage: db.prepare('SELECT body FROM outages WHERE id = ?'),
      openOf: db.prepare('SELECT body FROM outages WHERE service = ? AND restored_at IS NULL ORDER BY started_at LIMIT 1'),
      putOutbox: db.prepare('INSERT INTO outbox (id, due_at, body) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET due_at = excluded.due_at, body = excluded.body'),
      overdueOutbox: db.prepare('SELECT body FROM outbox WHERE due_at <= ? ORDER BY due_at, id'),
      removeOutbox: db.prepare('DELETE FROM outbox WHERE id = ?'),
      openOutages: db.prepare('SELECT body FROM outages WHERE restored_at IS NULL ORDER BY started_at, id'),
      outagesBetween: db.prepare(`SELECT body FROM outages WHERE started_at < ? AND (restored_at IS NULL OR restored_at >= ?)
        ORDER BY started_at, id`),
      claim: db.prepare('INSERT OR IGNORE INTO notifications_sent (id, at) VALUES (?, ?)'),
      old: db.prepare('SELECT id FROM notifications_sent WHERE at < ?').pluck(),
      forget: db.prepare('DELETE FROM notifications_sent WHERE id = ?'),
      putAck: db.prepare('INSERT INTO acks (id, body) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body'),
      listAcks: db.prepare('SELECT body FROM acks ORDER BY id'),
      putSilence: db.prepare('INSERT INTO silences (id, body) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body'),
      deleteSilence: db.prepare('DELETE FROM silences WHERE id = ?'),
      listSilences: db.prepare('SELECT id, body FROM silences ORDER BY id'),
      linksSeenUp: db.prepare('SELECT link FROM links_seen_up ORDER BY link'),
      rememberLink: db.prepare('INSERT OR IGNORE INTO links_seen_up (link, at) VALUES (?, ?)'),
      offerSecret: db.prepare('INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)'),
      secret: db.prepare('SELECT value FROM secrets WHERE name = ?').pluck(),
      ruleMemory: db.prepare('SELECT key, body FROM rule_memory ORDER BY key'),
      putRuleMemory: db.prepare('INSERT INTO rule_memory (key, at, body) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET at = excluded.at, body = excluded.body'),
      forgetRuleMemory: db.prepare('DELETE FROM rule_memory WHERE at < ?'),
    };
  }

  async putAlert(alert: StoredAlert, outbox?: OutboxEntry): Promise<void> {
    this.db.transaction(() => {
      this.stmt.putAlert.run(alert.fingerprint, JSON.stringify(alert));
      if (outbox) this.stmt.putOutbox.run(outbox.notification.id, outbox.dueAt, JSON.stringify(outbox));
    })();
  }

  async deleteAlert(fingerprint: string): Promise<void> {
    this.stmt.deleteAlert.run(fingerprint);
  }

  async listAlerts(): Promise<StoredAlert[]> {
    return bodies<StoredAlert>(this.stmt.listAlerts.all());
  }

  async putOutage(o: Outage): Promise<void> {
    this.stmt.putOutage.run(o.id, o.service, o.startedAt, o.restoredAt ?? null, JSON.stringify(o));
  }

  async openOutage(o: Outage): Promise<Outage> {
    return this.db.transaction(() => {
      const row = this.stmt.openOf.get(o.service) as { body: string } | undefined;
      const open = row ? (JSON.parse(row.body) as Outage) : undefined;
      const next = open ? { ...open, alerts: [...new Set([...open.alerts, ...o.alerts])] } : o;
      this.stmt.putOutage.run(next.id, next.service, next.startedAt, next.restoredAt ?? null, JSON.stringify(next));
      return next;
    })();
  }

  async getOutage(id: string): Promise<Outage | undefined> {
    const row = this.stmt.getOutage.get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as Outage) : undefined;
  }

  async openOutages(): Promise<Outage[]> {
    return bodies<Outage>(this.stmt.openOutages.all());
  }

  async outagesBetween(from: number, to: number): Promise<Outage[]> {
    return bodies<Outage>(this.stmt.outagesBetween.all(to, from));
  }

  async claimNotification(id: string, at: number): Promise<boolean> {
    return this.stmt.claim.run(id, at).changes === 1;
  }

  async pruneNotifications(before: number, keep: readonly string[] = []): Promise<number> {
    const gone = (this.stmt.old.all(before) as string[]).filter((id) => !keep.some((k) => id.startsWith(k)));
    this.db.transaction(() => { for (const id of gone) this.stmt.forget.run(id); })();
    return gone.length;
  }

  async beginBatch(): Promise<void> {
    // A batch whose commit failed is still open: commit it now rather than let every later write sit uncommitted.
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.exec('BEGIN');
  }

  async commitBatch(): Promise<void> {
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }

  async overdueOutbox(now: number): Promise<OutboxEntry[]> {
    return bodies<OutboxEntry>(this.stmt.overdueOutbox.all(now));
  }

  async removeOutbox(id: string): Promise<void> {
    this.stmt.removeOutbox.run(id);
  }

  async putAck(ack: Ack): Promise<void> {
    this.stmt.putAck.run(ack.id, JSON.stringify(ack));
  }

  async listAcks(): Promise<Ack[]> {
    return bodies<Ack>(this.stmt.listAcks.all());
  }

  async putSilence(s: Silence): Promise<void> {
    this.stmt.putSilence.run(s.id, JSON.stringify(s));
  }

  async deleteSilence(id: string): Promise<boolean> {
    return this.stmt.deleteSilence.run(id).changes === 1;
  }

  async listSilences(onUnreadable?: (bad: UnreadableSilence) => void): Promise<Silence[]> {
    return readStoredSilences(this.stmt.listSilences.all() as Array<{ id: string; body: string }>, onUnreadable);
  }

  async linksSeenUp(): Promise<string[]> {
    return (this.stmt.linksSeenUp.all() as { link: string }[]).map((r) => r.link);
  }

  async rememberLinkSeenUp(link: string, at: number): Promise<void> {
    this.stmt.rememberLink.run(link, at);
  }

  async keepSecret(name: string, candidate: string): Promise<string> {
    this.stmt.offerSecret.run(name, candidate);
    return this.stmt.secret.get(name) as string;
  }

  async ruleMemory(): Promise<Map<string, string>> {
    return new Map((this.stmt.ruleMemory.all() as { key: string; body: string }[]).map((r) => [r.key, r.body]));
  }

  async saveRuleMemory(entries: readonly { key: string; body: string }[], at: number, forgetBefore: number): Promise<void> {
    this.db.transaction(() => {
      for (const e of entries) this.stmt.putRuleMemory.run(e.key, at, e.body);
      this.stmt.forgetRuleMemory.run(forgetBefore);
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function bodies<T>(rows: unknown[]): T[] {
  return (rows as { body: string }[]).map((r) => JSON.parse(r.body) as T);
}
