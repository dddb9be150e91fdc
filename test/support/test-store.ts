import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openStore, type DdlContext, type StoreClient } from '../../src/store/index.js';

export interface TestStore {
  store: StoreClient;
  ctx: DdlContext;
  dataDir: string;
  /** Rows of a query as objects (params bound). */
  rows<T = Record<string, unknown>>(query: string, params?: Record<string, unknown>): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * A real chDB store in a fresh temporary directory, migrated. vitest runs each test file in its own
 * process, and chDB binds one data directory per process: open one TestStore per file (beforeAll).
 */
export async function openTestStore(options: { migrate?: boolean; database?: string; retentionDays?: number } = {}): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlwarden-test-'));
  // Tests stamp data at fixed dates (November 2026); ten years of retention (the most the config allows) keeps TTL merges from deleting it.
  const ctx: DdlContext = { database: options.database ?? 'mlwarden', retentionDays: options.retentionDays ?? 3650 };
  const store = await openStore({ dataDir, database: ctx.database, retentionDays: ctx.retentionDays });
  if (options.migrate !== false) await migrate(store.client, ctx);
  return {
    store,
    ctx,
    dataDir,
    async rows<T>(query: string, params: Record<string, unknown> = {}) {
      const result = await store.client.query({ query, query_params: params, format: 'JSONEachRow' });
      return result.json<T>();
    },
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
