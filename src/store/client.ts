import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { mkdirSync, readFileSync } from 'node:fs';

type ClientOptions = NonNullable<Parameters<typeof createClient>[0]>;

export interface StoreConfig {
  /** Embedded chDB data directory, used when no URL is set. */
  dataDir: string;
  url?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
  database: string;
  tls?: { caFile?: string | undefined; certFile?: string | undefined; keyFile?: string | undefined } | undefined;
  cluster?: string | undefined;
  retentionDays: number;
  requestTimeoutMs?: number | undefined;
}

export type StoreMode = 'embedded' | 'remote';

export interface StoreClient {
  readonly mode: StoreMode;
  readonly client: ClickHouseClient;
  close(): Promise<void>;
}

/**
 * Output settings both modes share, so results have one shape: a server quotes 64-bit integers in
 * JSON by default and chDB does not; we ask both for numbers (counts stay far below 2^53).
 */
export const SHARED_SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 0,
};

function tlsOptions(tls: StoreConfig['tls']) {
  if (!tls?.caFile) return undefined;
  const ca_cert = readFileSync(tls.caFile);
  if (tls.certFile && tls.keyFile) {
    return { ca_cert, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) };
  }
  return { ca_cert };
}

function remoteClient(config: StoreConfig & { url: string }): ClickHouseClient {
  const tls = tlsOptions(config.tls);
  return createClient({
    url: config.url,
    username: config.user ?? 'default',
    password: config.password ?? '',
    database: config.database,
    request_timeout: config.requestTimeoutMs ?? 30_000,
    clickhouse_settings: SHARED_SETTINGS,
    // Failures surface as rejected promises that mlwarden logs as structured JSON; the client's own text logs would not be.
    log: { level: ClickHouseLogLevel.OFF },
    ...(tls ? { tls } : {}),
  });
}

async function embeddedClient(config: StoreConfig): Promise<ClickHouseClient> {
  mkdirSync(config.dataDir, { recursive: true });
  const { createChdbConnection } = await import('chdb/connection');
  // chdb types the connection against @clickhouse/client-common, which the client re-bundles: same shape.
  const connection = createChdbConnection({ path: config.dataDir }) as unknown as ClientOptions['connection'];
  return createClient({
    connection,
    clickhouse_settings: SHARED_SETTINGS,
    log: { level: ClickHouseLogLevel.OFF },
  });
}

/** Opens the store: a remote ClickHouse when a URL is configured, otherwise chDB in this process. */
export async function openStore(config: StoreConfig): Promise<StoreClient> {
  const remote = config.url !== undefined && config.url !== '';
  const client = remote ? remoteClient({ ...config, url: config.url as string }) : await embeddedClient(config);
  return {
    mode: remote ? 'remote' : 'embedded',
    client,
    async close() {
      await client.close();
      if (!remote) {
        // chDB: the engine is only free for another data directory once pending work has drained.
        const { drainPending } = await import('chdb');
        await drainPending();
      }
    },
  };
}
