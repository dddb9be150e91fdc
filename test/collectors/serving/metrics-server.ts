import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real /metrics endpoint on 127.0.0.1 whose answer a test changes between scrapes. */
export interface MetricsServer {
  url: string;
  /** Each request gets the current answer. */
  answer: { status: number; body: string; delayMs?: number };
  /** Accept headers the server was sent. */
  accepts: string[];
  close(): Promise<void>;
}

export async function startMetricsServer(body = ''): Promise<MetricsServer> {
  const state: MetricsServer = { url: '', answer: { status: 200, body }, accepts: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    state.accepts.push(String(req.headers.accept));
    const { status, body: text, delayMs } = state.answer;
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
    }, delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  state.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return state;
}
