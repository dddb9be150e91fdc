import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the double answers one request: a status (with headers and body), or never. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface ReceivedRequest {
  at: number;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  records: Array<Record<string, unknown>>;
  bytes: number;
  status: number | 'hang';
}

export interface IngestDouble {
  url: string;
  requests: ReceivedRequest[];
  /** Records of the requests answered 2xx, in arrival order. */
  accepted(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

const ACCEPT: Reply = { status: 200, body: '{"accepted":1}' };

/** A real HTTP server standing in for mlwarden's ingest API; `reply(n)` decides the answer to the n-th request (0-based). */
export async function startIngestDouble(reply: (n: number) => Reply = () => ACCEPT): Promise<IngestDouble> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const answer = reply(requests.length);
      requests.push({ at: Date.now(), method: req.method ?? '', path: req.url ?? '', headers: req.headers, records: JSON.parse(text) as Array<Record<string, unknown>>, bytes: Buffer.byteLength(text), status: answer === 'hang' ? 'hang' : answer.status });
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted: () => requests.filter((r) => typeof r.status === 'number' && r.status < 300).flatMap((r) => r.records),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A URL nothing listens on: connecting is refused. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Resolves once `condition` holds, polling; rejects after ms. */
export async function eventually(condition: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
