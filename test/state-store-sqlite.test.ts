import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../src/alerts/state/sqlite-state-store.js';
import { alertFixture, describeStateStoreContract, outageFixture } from './helpers/state-store-contract.js';

describeStateStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kpid-state-'));
  return {
    open: async () => new SqliteStateStore(join(dir, 'data', 'kpid.db')),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteStateStore', () => {
  it('uses WAL journaling and creates the data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpid-state-'));
    try {
      const store = new SqliteStateStore(join(dir, 'nested', 'kpid.db'));
      await store.putOutage(outageFixture());
      expect(existsSync(join(dir, 'nested', 'kpid.db-wal'))).toBe(true);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('commits one batch (the transitions of one poll) as one transaction: nothing of it is seen before the commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpid-state-'));
    try {
      const file = join(dir, 'kpid.db');
      const store = new SqliteStateStore(file);
      const reader = new SqliteStateStore(file);
      await store.beginBatch();
      for (let i = 0; i < 50; i++) await store.putAlert(alertFixture({ fingerprint: `fp${i}` }));
      expect(await reader.listAlerts()).toHaveLength(0);
      await store.commitBatch();
      expect(await reader.listAlerts()).toHaveLength(50);
      await Promise.all([store.close(), reader.close()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
