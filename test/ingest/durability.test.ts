import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { openStore, type StoreClient } from '../../src/store/index.js';
import { metricValue, startServer, stopAllServers, type ServerProcess } from '../support/server-process.js';

/**
 * Acceptance: "Kill -9 of the server during a sustained ingest, restart: every acknowledged record is
 * present, none duplicated."
 *
 * The real server process ingests run records from several concurrent clients; each request (a batch)
 * carries run_ids unique to it, and the batch id is also the records' `model`, so the summary API
 * counts what landed per batch. The process is SIGKILLed mid-ingest twice (the second time after
 * reopening the crashed data directory); then it is restarted and what landed is checked through the
 * API and, after a graceful stop, record by record with chDB on the same directory in this process.
 */

const CLIENTS = 8;
const BATCH_ROWS = 40;
const MIN_INGEST_MS = 1_500;
const MIN_ACKED_BATCHES = 30;
const KILL_ROUNDS = 2;
// Short group-commit interval: many INSERTs per second, so the kill is likely to land inside one.
const CONFIG = { ingest: { flush_interval_ms: 20, max_batch_rows: 2_000 }, log: { level: 'info' } };

/** An HTTP status, or how the request failed: never delivered (connection refused) or lost in flight. */
type Outcome = number | 'not-delivered' | 'lost';

interface SentBatch {
  id: string;
  round: number;
  outcome: Outcome;
}

interface RoundReport {
  round: number;
  ingestMs: number;
  pendingRowsAtKill: number | undefined;
  batches: SentBatch[];
}

const dataDir = mkdtempSync(join(tmpdir(), 'mlwarden-durability-'));
const started = Date.now();
let direct: StoreClient | undefined;

afterAll(async () => {
  await stopAllServers();
  await direct?.close();
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

const runIds = (batchId: string) => Array.from({ length: BATCH_ROWS }, (_, i) => `${batchId}-${i}`);

function batchBody(batchId: string): string {
  const ts = Date.now();
  return JSON.stringify(
    runIds(batchId).map((runId) => ({ ts, run_id: runId, kind: 'step', state: 'succeeded', model: batchId, pipeline: 'durability', namespace: 'durability' })),
  );
}

async function postBatch(server: ServerProcess, batchId: string): Promise<Outcome> {
  try {
    const response = await fetch(`${server.url}/v1/telemetry/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: batchBody(batchId),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (response.status === 200) expect(JSON.parse(text)).toEqual({ accepted: BATCH_ROWS });
    return response.status;
  } catch (error) {
    // The server died with the request in flight, or was already gone: unacknowledged either way.
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    if (code === 'ECONNREFUSED') return 'not-delivered';
    if (error instanceof TypeError || (error as Error).name === 'TimeoutError') return 'lost';
    throw error;
  }
}

async function pendingRows(server: ServerProcess): Promise<number | undefined> {
  try {
    const response = await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return metricValue(await response.text(), 'mlwarden_ingest_queue_rows', { kind: 'runs' });
  } catch {
    return undefined;
  }
}

/** CLIENTS loops post batches back to back; after sustained ingest the server is SIGKILLed. */
async function ingestAndKill(server: ServerProcess, round: number): Promise<RoundReport> {
  const batches: SentBatch[] = [];
  let killed = false;
  const loops = Array.from({ length: CLIENTS }, async (_, client) => {
    for (let seq = 0; !killed; seq++) {
      const batch: SentBatch = { id: `r${round}-c${client}-${seq}`, round, outcome: 'lost' };
      batches.push(batch);
      batch.outcome = await postBatch(server, batch.id);
    }
  });
  const t0 = Date.now();
  const acked = () => batches.filter((b) => b.outcome === 200).length;
  while (Date.now() - t0 < MIN_INGEST_MS || acked() < MIN_ACKED_BATCHES) {
    if (Date.now() - t0 > 60_000) {
      killed = true;
      await server.kill('SIGKILL');
      await Promise.allSettled(loops);
      throw new Error(`only ${acked()} batches acknowledged after 60 s\n${server.describe()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pendingRowsAtKill = await pendingRows(server);
  killed = true;
  const exit = await server.kill('SIGKILL');
  const ingestMs = Date.now() - t0;
  expect(exit.signal, server.describe()).toBe('SIGKILL');
  await Promise.all(loops);
  return { round, ingestMs, pendingRowsAtKill, batches };
}

async function summaryByBatch(server: ServerProcess): Promise<Map<string, number>> {
  const from = started - 60 * 60 * 1000;
  const to = Date.now() + 60 * 60 * 1000;
  const response = await fetch(`${server.url}/v1/telemetry/summary?kind=runs&from=${from}&to=${to}`, { signal: AbortSignal.timeout(30_000) });
  expect(response.status, server.describe()).toBe(200);
  const body = (await response.json()) as { telemetry: Array<{ kind: string; group: string; records: number }> };
  return new Map(body.telemetry.map((row) => [row.group, row.records]));
}

describe('durability of acknowledged telemetry', () => {
  test('kill -9 during sustained ingest, restart: every acknowledged record is present exactly once', { timeout: 240_000 }, async () => {
    const rounds: RoundReport[] = [];
    for (let round = 1; round <= KILL_ROUNDS; round++) {
      const server = await startServer({ dataDir, config: CONFIG });
      rounds.push(await ingestAndKill(server, round));
    }

    // Restart on the crashed directory; what landed, per batch, through the API.
    const server = await startServer({ dataDir, config: CONFIG });
    const landed = await summaryByBatch(server);
    const stop = await server.stop();
    expect(stop, server.describe()).toEqual({ code: 0, signal: null });

    const batches = rounds.flatMap((r) => r.batches);
    const sent = new Map(batches.map((b) => [b.id, b]));
    const acked = batches.filter((b) => b.outcome === 200);
    const refused = batches.filter((b) => typeof b.outcome === 'number' && b.outcome >= 400 && b.outcome < 500);
    const unknown = batches.filter((b) => b.outcome === 'lost' || (typeof b.outcome === 'number' && b.outcome >= 500));
    const notDelivered = batches.filter((b) => b.outcome === 'not-delivered');
    const unexpected = batches.filter((b) => typeof b.outcome === 'number' && b.outcome !== 200 && b.outcome !== 429 && b.outcome !== 503);
    expect(unexpected.map((b) => `${b.id}: ${b.outcome}`)).toEqual([]);

    // Every batch that landed is one we sent, whole and once (a request is one INSERT: all or nothing).
    const strays = [...landed].filter(([group, records]) => !sent.has(group) || records !== BATCH_ROWS);
    expect(strays).toEqual([]);
    // Every acknowledged batch landed; no refused (4xx) batch did.
    expect(acked.filter((b) => landed.get(b.id) !== BATCH_ROWS).map((b) => b.id)).toEqual([]);
    expect(refused.filter((b) => landed.has(b.id)).map((b) => b.id)).toEqual([]);
    expect(notDelivered.filter((b) => landed.has(b.id)).map((b) => b.id)).toEqual([]);

    // Record by record, with chDB on the same directory now that the server has released it.
    direct = await openStore({ dataDir, database: 'mlwarden', retentionDays: 30 });
    const rows = await (await direct.client.query({ query: 'SELECT run_id, toUInt64(count()) AS n FROM mlwarden.runs GROUP BY run_id', format: 'JSONEachRow' })).json<{ run_id: string; n: number }>();
    const copies = new Map(rows.map((r) => [r.run_id, Number(r.n)]));
    expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    const ackedIds = acked.flatMap((b) => runIds(b.id));
    expect(ackedIds.filter((id) => copies.get(id) !== 1)).toEqual([]);
    const sentIds = new Set(batches.flatMap((b) => runIds(b.id)));
    expect(rows.filter((r) => !sentIds.has(r.run_id)).map((r) => r.run_id)).toEqual([]);

    const unackedPresent = unknown.filter((b) => landed.has(b.id));
    expect(copies.size).toBe((acked.length + unackedPresent.length) * BATCH_ROWS);
    for (const r of rounds) {
      const count = (pred: (b: SentBatch) => boolean) => r.batches.filter(pred).length;
      console.log(
        `durability round ${r.round}: ingest ${r.ingestMs} ms, ${r.batches.length} batches of ${BATCH_ROWS} sent by ${CLIENTS} clients; ` +
          `acked ${count((b) => b.outcome === 200)}, refused ${count((b) => typeof b.outcome === 'number' && b.outcome >= 400 && b.outcome < 500)}, ` +
          `unacknowledged in flight ${count((b) => b.outcome === 'lost' || (typeof b.outcome === 'number' && b.outcome >= 500))} ` +
          `(of which present ${count((b) => b.outcome !== 200 && landed.has(b.id))}), not delivered ${count((b) => b.outcome === 'not-delivered')}; ` +
          `queue rows just before kill: ${r.pendingRowsAtKill ?? 'n/a'}`,
      );
    }
    console.log(
      `durability total: acked ${acked.length} batches (${ackedIds.length} records), present ${copies.size} records, ` +
        `acked present ${acked.filter((b) => landed.has(b.id)).length}/${acked.length}, unacknowledged ${unknown.length} batches of which present ${unackedPresent.length}, duplicates 0`,
    );
  });
});
