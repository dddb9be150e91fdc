import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MlwardenError } from '../../src/domain/errors.js';
import { BatchWriter } from '../../src/ingest/batch-writer.js';
import { checkReadiness } from '../../src/main.js';
import { createTable, migrate, MIGRATIONS, openStore, type DdlContext, type StoreClient } from '../../src/store/index.js';
import type { TableSpec } from '../../src/store/tables.js';
import { tsvEncoder } from '../../src/store/tsv-encoding.js';
import {
  clickhouseServerAvailable, startClickHouseServer, stopAllClickHouseServers, type ClickHouseServer,
} from '../support/clickhouse-server.js';
import { openTestStore, type TestStore } from '../support/test-store.js';

/**
 * The remote store against a real ClickHouse server over HTTP: Debian's clickhouse-server 18.16.
 * It is far older than our schema (no DateTime64, Map, codecs, nor `{name:Type}` query parameters),
 * so it is used only for transport, authentication failure, connection loss and result-shape parity,
 * with 18.16-compatible tables rendered by our own DDL and TSV encoder.
 */

const available = clickhouseServerAvailable();
const SKIP = !available && !process.env.CI;
const SKIP_REASON =
  'SKIPPED: clickhouse-server is not installed (apt-get install -y clickhouse-server clickhouse-client); ' +
  'allowed outside CI only, in CI this suite fails instead';
if (SKIP) console.warn(`test/store/remote-clickhouse.test.ts: ${SKIP_REASON}`);

/** 18.16 says "Code: 193 ... Wrong password" / "Code: 192 ... Unknown user"; servers from 20.x on say 516 AUTHENTICATION_FAILED. */
const WRONG_PASSWORD = /Code: (193|516)\b[\s\S]*(Wrong password|Authentication failed)/;
const UNKNOWN_USER = /Code: (192|516)\b[\s\S]*(Unknown user|Authentication failed)/;

const ctx: DdlContext = { database: 'default', retentionDays: 1 };
const REQUEST_TIMEOUT_MS = 2000;

/** Plain tables 18.16 accepts (MergeTree, ORDER BY, no codecs/TTL/partitions), rendered by src/store/ddl.ts. */
const ROUNDTRIP: TableSpec = {
  name: 'roundtrip',
  columns: [
    { name: 'id', type: 'UInt64' },
    { name: 'name', type: 'String' },
    { name: 'note', type: 'Nullable(String)' },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['id'],
};
const BATCHES: TableSpec = {
  name: 'batches',
  columns: [
    { name: 'id', type: 'UInt64' },
    { name: 'caller', type: 'String' },
    { name: 'payload', type: 'String' },
  ],
  engine: { kind: 'MergeTree' },
  orderBy: ['id'],
};
/**
 * Stand-in for schema_migrations (the real one uses DateTime64, which 18.16 lacks). Readiness only reads
 * `SELECT DISTINCT version`, so with every version recorded a healthy 18.16 server reads as ready, which
 * gives the fault tests a "ready" baseline to fall from and return to.
 */
const MIGRATIONS_STANDIN: TableSpec = {
  name: 'schema_migrations',
  columns: [
    { name: 'version', type: 'UInt32' },
    { name: 'name', type: 'String' },
    { name: 'applied_at', type: 'DateTime' },
  ],
  engine: { kind: 'ReplacingMergeTree', version: 'applied_at' },
  orderBy: ['version'],
};

const TRICKY = `it's "quoted" \\ back\\slash \\N, tab\there, newline\nthere, NUL\0, é ü 中文 😀 \u2028 end`;

interface BatchRow {
  id: number;
  caller: string;
  payload: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tsvBody(chunks: Iterable<string> | AsyncIterable<string>): Readable {
  return Readable.from(
    (async function* () {
      for await (const chunk of chunks) yield Buffer.from(chunk);
    })(),
    { objectMode: false },
  );
}

describe.skipIf(SKIP)(SKIP ? `remote ClickHouse over HTTP (${SKIP_REASON})` : 'remote ClickHouse over HTTP (clickhouse-server 18.16)', () => {
  let server: ClickHouseServer;
  /** The `default` user, for setup and for watching the server (system.processes); never the code under test. */
  let admin: ClickHouseClient;
  /** What mlwarden uses: openStore with a URL, as user mlwarden. */
  let remote: StoreClient;
  let remoteConfig: Parameters<typeof openStore>[0];
  const extraStores: StoreClient[] = [];

  beforeAll(async () => {
    if (!available) throw new Error(`clickhouse-server is required in CI (CI=${process.env.CI}): apt-get install -y clickhouse-server clickhouse-client`);
    const started = Date.now();
    server = await startClickHouseServer();
    const startupMs = Date.now() - started;
    expect(startupMs, server.describe()).toBeLessThan(10_000);
    admin = createClient({ url: server.url, username: 'default', password: '', request_timeout: REQUEST_TIMEOUT_MS });
    for (const spec of [ROUNDTRIP, BATCHES, MIGRATIONS_STANDIN]) {
      for (const statement of createTable(spec, ctx)) await admin.command({ query: statement });
    }
    remoteConfig = {
      dataDir: '',
      url: server.url,
      user: server.user,
      password: server.password,
      database: 'default',
      retentionDays: 1,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    };
    remote = await openStore(remoteConfig);
  });

  afterAll(async () => {
    for (const store of extraStores) await store.close().catch(() => undefined);
    await remote?.close().catch(() => undefined);
    await admin?.close().catch(() => undefined);
    await server?.destroy();
    await stopAllClickHouseServers();
  });

  async function rowsOf<T>(client: ClickHouseClient, query: string): Promise<T[]> {
    const result = await client.query({ query, format: 'JSONEachRow' });
    return result.json<T>();
  }

  async function markSchemaCurrent(): Promise<void> {
    const encoder = tsvEncoder(MIGRATIONS_STANDIN);
    await admin.insert({
      table: 'default.schema_migrations',
      columns: encoder.columns as [string, ...string[]],
      values: tsvBody([encoder.encode(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: 1_700_000_000 })))]),
      format: 'TabSeparated',
    });
  }

  describe('transport', () => {
    test('openStore with a URL pings the server and queries it as the configured user', async () => {
      expect(remote.mode).toBe('remote');
      expect(await remote.client.ping()).toEqual({ success: true });
      // ping({ select: true }) runs a query, so unlike /ping it proves the credentials work too.
      expect(await remote.client.ping({ select: true })).toEqual({ success: true });
      // 18.16 has no currentUser(): the query finds itself in system.processes.
      const queryId = `whoami-${Date.now()}`;
      const result = await remote.client.query({
        query: `SELECT user, version() AS version FROM system.processes WHERE query_id = '${queryId}'`,
        query_id: queryId,
        format: 'JSONEachRow',
      });
      const [who] = await result.json<{ user: string; version: string }>();
      expect(who?.user).toBe('mlwarden');
      expect(who?.version).toMatch(/^\d+\.\d+/);
    });

    test('a TabSeparated INSERT from our encoder round-trips quotes, backslashes, control characters and unicode byte-exactly', async () => {
      const encoder = tsvEncoder(ROUNDTRIP);
      const rows = [
        { id: 1, name: TRICKY, note: null },
        { id: 2, name: '', note: TRICKY },
        { id: 3, name: '\\N', note: '' },
      ];
      await remote.client.insert({
        table: 'default.roundtrip',
        columns: encoder.columns as [string, ...string[]],
        values: tsvBody([encoder.encode(rows)]),
        format: 'TabSeparated',
      });
      const back = await rowsOf<{ id: number; name: string; note: string | null; name_hex: string }>(
        remote.client,
        'SELECT id, name, note, hex(name) AS name_hex FROM default.roundtrip ORDER BY id',
      );
      expect(back.map(({ id, name, note }) => ({ id, name, note }))).toEqual(rows);
      // Byte-exact on the server itself, not just after JSON decoding.
      expect(back.map((r) => r.name_hex)).toEqual(rows.map((r) => Buffer.from(r.name, 'utf8').toString('hex').toUpperCase()));
    });

    test('bound parameters ({name:String}): 18.x has no query parameters and refuses them by name; newer servers round-trip them byte-exactly', async () => {
      const [{ version } = { version: '' }] = await rowsOf<{ version: string }>(remote.client, 'SELECT version() AS version');
      const major = Number(version.split('.')[0]);
      const bound = remote.client.query({ query: 'SELECT {name:String} AS name', query_params: { name: TRICKY }, format: 'JSONEachRow' });
      if (major < 19) {
        // The client sends param_name=...; 18.16 treats it as an (unknown) setting. Remote mode needs
        // ClickHouse >= 19.x, since all our SQL binds values as parameters.
        await expect(bound).rejects.toThrow(/Code: 115\b[\s\S]*Unknown setting param_name/);
      } else {
        const result = await bound;
        expect(await result.json()).toEqual([{ name: TRICKY }]);
      }
    });
  });

  describe('version gate', () => {
    test('migrate refuses a server older than mlwarden needs, saying which version it found and which it needs', async () => {
      await expect(migrate(remote.client, { database: 'mlwarden_gate', retentionDays: 30 })).rejects.toThrow(/ClickHouse 18\.16[.\d]* is too old: mlwarden needs 23\.8 or newer/);
      const dbs = await (await admin.query({ query: "SELECT name FROM system.databases WHERE name = 'mlwarden_gate'", format: 'JSONEachRow' })).json();
      expect(dbs).toEqual([]);
    });
  });

  describe('result-shape parity with the embedded engine (chDB)', () => {
    let embedded: TestStore;
    beforeAll(async () => {
      embedded = await openTestStore({ migrate: false });
    });
    afterAll(async () => {
      await embedded?.close();
    });

    const LITERALS = [
      'SELECT',
      '  toUInt64(9007199254740991) AS u64,',
      '  toInt64(-9007199254740991) AS i64,',
      '  toUInt32(4294967295) AS u32,',
      '  toFloat64(0.1) AS f64,',
      '  toFloat64(1) / 3 AS f64_third,',
      "  'it''s \"q\" \\\\ tab\\t é 😀' AS s,",
      '  CAST(NULL AS Nullable(String)) AS null_string,',
      '  [toUInt64(0), toUInt64(4294967296), toUInt64(9007199254740991)] AS u64_array,',
      "  toDateTime('2024-02-29 23:59:59', 'UTC') AS dt",
    ].join('\n');

    test('the same SELECT returns deep-equal JSONEachRow objects, 64-bit integers as numbers in both', async () => {
      const [fromServer] = await rowsOf<Record<string, unknown>>(remote.client, LITERALS);
      const [fromChdb] = await rowsOf<Record<string, unknown>>(embedded.store.client, LITERALS);
      expect(fromServer).toEqual(fromChdb);
      expect(Object.keys(fromServer ?? {})).toEqual(Object.keys(fromChdb ?? {}));
      expect(fromServer).toEqual({
        u64: 9007199254740991,
        i64: -9007199254740991,
        u32: 4294967295,
        f64: 0.1,
        f64_third: 1 / 3,
        s: 'it\'s "q" \\ tab\t é 😀',
        null_string: null,
        u64_array: [0, 4294967296, 9007199254740991],
        dt: '2024-02-29 23:59:59',
      });
    });

    test('without SHARED_SETTINGS the server quotes 64-bit integers (so the setting is what makes the shapes agree)', async () => {
      const bare = createClient({ url: server.url, username: server.user, password: server.password, request_timeout: REQUEST_TIMEOUT_MS });
      try {
        const [row] = await rowsOf<Record<string, unknown>>(bare, LITERALS);
        expect(row?.u64).toBe('9007199254740991');
        expect(row?.i64).toBe('-9007199254740991');
        expect(row?.u64_array).toEqual(['0', '4294967296', '9007199254740991']);
        expect(row?.u32).toBe(4294967295); // 32-bit stays a number either way
      } finally {
        await bare.close();
      }
    });
  });

  describe('authentication failure', () => {
    test('a wrong password: /ping still answers (it checks no credentials), every query is refused naming the password', async () => {
      const wrong = `not-${server.password}`;
      const store = await openStore({ ...remoteConfig, password: wrong });
      extraStores.push(store);
      expect((await store.client.ping()).success).toBe(true);
      const checked = await store.client.ping({ select: true });
      expect(checked.success).toBe(false);
      if (!checked.success) expect(checked.error.message).toMatch(WRONG_PASSWORD);
      const refused = await store.client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(refused?.message).toMatch(WRONG_PASSWORD);
      expect(refused?.message).not.toContain(wrong);
    });

    test('an unknown user is refused too', async () => {
      const store = await openStore({ ...remoteConfig, user: 'nobody' });
      extraStores.push(store);
      await expect(store.client.query({ query: 'SELECT 1' })).rejects.toThrow(UNKNOWN_USER);
    });

    test('readiness reports not ready with a clickhouse check that names the failure and never the password', async () => {
      await markSchemaCurrent();
      expect(await checkReadiness(remote, ctx)).toEqual({ ready: true, checks: { clickhouse: 'ok', migrations: 'ok' } });

      const wrong = `x${server.password}`;
      const store = await openStore({ ...remoteConfig, password: wrong });
      extraStores.push(store);
      const readiness = await checkReadiness(store, ctx);
      expect(readiness.ready).toBe(false);
      expect(readiness.checks.clickhouse).toMatch(WRONG_PASSWORD);
      const text = JSON.stringify(readiness);
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(server.password);
    });
  });

  describe('connection loss', () => {
    let writer: BatchWriter<BatchRow>;
    /** While set, flush sends its rows but holds the request body open: the INSERT stays in flight. */
    let hold: Promise<void> | undefined;
    let releaseHold: () => void = () => undefined;
    let flushes = 0;
    const RETRY_AFTER = 7;
    const encoder = tsvEncoder(BATCHES);

    beforeAll(async () => {
      await markSchemaCurrent();
      writer = new BatchWriter<BatchRow>({
        // The real client INSERT, one per batch, as telemetryInserter does it.
        flush: async (rows) => {
          const held = hold;
          await remote.client.insert({
            table: 'default.batches',
            columns: encoder.columns as [string, ...string[]],
            values: tsvBody(
              (async function* () {
                yield encoder.encode(rows as unknown as Array<Record<string, unknown>>);
                if (held) await held;
              })(),
            ),
            format: 'TabSeparated',
            query_id: `mlwarden-flush-${++flushes}`,
          });
        },
        maxBatchRows: 20_000,
        flushIntervalMs: 20,
        maxPendingRows: 100_000,
        retryAfterSeconds: RETRY_AFTER,
      });
    });

    afterAll(async () => {
      releaseHold();
      await writer?.close().catch(() => undefined);
    });

    const rowsFor = (caller: string, from: number, count: number): BatchRow[] =>
      Array.from({ length: count }, (_, i) => ({ id: from + i, caller, payload: `${caller}:${from + i}:`.padEnd(140, 'x') }));

    async function storedIds(): Promise<{ callers: Record<string, number>; total: number }> {
      const rows = await rowsOf<{ caller: string; n: number }>(remote.client, 'SELECT caller, count() AS n FROM default.batches GROUP BY caller ORDER BY caller');
      return { callers: Object.fromEntries(rows.map((r) => [r.caller, r.n])), total: rows.reduce((sum, r) => sum + r.n, 0) };
    }

    /** The rejection of a write, captured at once (so it is never an unhandled rejection while the test waits). */
    function failureOf(write: Promise<void>): Promise<unknown> {
      return write.then(
        () => new Error('the write was acknowledged, but the store could not have confirmed it'),
        (e: unknown) => e,
      );
    }

    async function expectUnavailable(failure: Promise<unknown>, cause: RegExp): Promise<MlwardenError> {
      const error = await failure;
      expect(error).toBeInstanceOf(MlwardenError);
      const refused = error as MlwardenError;
      expect(refused.kind).toBe('unavailable');
      expect(refused.retryAfterSeconds).toBe(RETRY_AFTER);
      expect(String((refused.cause as Error | undefined)?.message ?? refused.cause)).toMatch(cause);
      return refused;
    }

    test('kill -9 mid-INSERT: callers get unavailable + retry-after, readiness drops, and after a restart on the same port the same client writes again', async () => {
      // Baseline: the writer commits through the remote client, readiness is green.
      await writer.write(rowsFor('before', 0, 100));
      expect(await storedIds()).toEqual({ callers: { before: 100 }, total: 100 });
      expect((await checkReadiness(remote, ctx)).ready).toBe(true);

      // Two callers share one batch; its INSERT is sent but its body held open. 18.16 reads a request
      // body in 1 MiB blocks and only starts the query once it has one, so the batch is ~1.5 MB: the
      // server has begun the INSERT (it is in system.processes) when it dies with kill -9.
      hold = new Promise<void>((resolve) => (releaseHold = resolve));
      const first = failureOf(writer.write(rowsFor('killed-a', 10_000, 5000)));
      const second = failureOf(writer.write(rowsFor('killed-b', 15_000, 5000)));
      const queryId = `mlwarden-flush-${flushes + 1}`;
      const deadline = Date.now() + 5000;
      for (;;) {
        const running = await rowsOf<{ query_id: string }>(admin, 'SELECT query_id FROM system.processes');
        if (running.some((p) => p.query_id === queryId)) break;
        if (Date.now() > deadline) throw new Error(`the held INSERT never showed up in system.processes\n${server.describe()}`);
        await sleep(20);
      }
      const killedAt = Date.now();
      await server.kill();
      const inFlightLost = /socket hang up|ECONNRESET|EPIPE/;
      const [a, b] = await Promise.all([expectUnavailable(first, inFlightLost), expectUnavailable(second, inFlightLost)]);
      expect(a).toBe(b); // one INSERT, one outcome for every caller in it
      expect(Date.now() - killedAt).toBeLessThan(REQUEST_TIMEOUT_MS); // the dropped connection is seen at once, not by timeout
      hold = undefined;
      releaseHold();

      // While the server is down: new writes are refused the same way, readiness says why.
      await expectUnavailable(failureOf(writer.write(rowsFor('while-down', 30_000, 10))), /ECONNREFUSED/);
      const down = await checkReadiness(remote, ctx);
      expect(down.ready).toBe(false);
      expect(down.checks.clickhouse).toMatch(/^unreachable: .*ECONNREFUSED/);
      expect(JSON.stringify(down)).not.toContain(server.password);

      // Same port, same data, same client object: it recovers without being reopened.
      await server.start();
      expect(await checkReadiness(remote, ctx)).toEqual({ ready: true, checks: { clickhouse: 'ok', migrations: 'ok' } });
      await Promise.all([writer.write(rowsFor('after-a', 40_000, 50)), writer.write(rowsFor('after-b', 40_050, 50))]);
      // Nothing of the killed INSERT was committed (all or nothing); everything acknowledged is there.
      expect(await storedIds()).toEqual({ callers: { before: 100, 'after-a': 50, 'after-b': 50 }, total: 200 });
    });

    test('a hung server (SIGSTOP): the flush gives up after request_timeout with unavailable, recovers on SIGCONT, and the abandoned INSERT still lands', async () => {
      server.pause();
      try {
        const started = Date.now();
        await expectUnavailable(failureOf(writer.write(rowsFor('hung', 50_000, 10))), /timeout/i);
        const waited = Date.now() - started;
        expect(waited).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
        expect(waited).toBeLessThan(REQUEST_TIMEOUT_MS + 3000);
        const hung = await checkReadiness(remote, ctx);
        expect(hung.ready).toBe(false);
        expect(hung.checks.clickhouse).toMatch(/^unreachable: .*timeout/i);
      } finally {
        server.resume();
      }
      await writer.write(rowsFor('resumed', 60_000, 10));
      expect((await storedIds()).callers.resumed).toBe(10);
      // The INSERT the client gave up on was already in the frozen server's socket buffer: once the server
      // runs again it reads and commits it, although its caller was told "unavailable, retry". A timeout
      // is not a rollback, so a retried request is written twice unless rows carry a dedup key.
      const deadline = Date.now() + 3000;
      let landed = (await storedIds()).callers.hung;
      while (landed === undefined && Date.now() < deadline) {
        await sleep(50);
        landed = (await storedIds()).callers.hung;
      }
      expect(landed, 'the timed-out INSERT was expected to land once the server resumed').toBe(10);
    });
  });
});
