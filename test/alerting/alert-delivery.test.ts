import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AlertDelivery, DeliveryError, WebhookNotifier, type AlertNotification, type Notifier, type Silence } from '../../src/alerting/index.js';

const S = 1000;

/** A Notifier that keeps what it was given, and fails while told to: a real implementation of the port. */
class RecordingNotifier implements Notifier {
  readonly batches: Array<{ now: number; keys: string[] }> = [];
  failing = false;

  constructor(readonly name: string) {}

  async send(notifications: AlertNotification[], now: number): Promise<void> {
    if (this.failing) throw new DeliveryError(`POST http://${this.name}/ failed: HTTP 503`, { code: 'server-error', url: `http://${this.name}/`, status: 503 });
    this.batches.push({ now, keys: notifications.map((n) => `${n.dedupeKey}:${n.state}`) });
  }
}

function logger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  return { lines, warn: at('warn'), debug: at('debug') } as unknown as { lines: typeof lines; warn: () => void; debug: () => void };
}

const firing = (key: string, labels: Record<string, string> = {}): AlertNotification => ({
  dedupeKey: key, state: 'firing', labels: { alertname: 'SLOBurnRate', slo: key, ...labels }, annotations: {}, startsAt: 0, generatorURL: '',
});

describe('alert delivery', () => {
  test('each notifier keeps its own schedule: one that failed is retried at the next evaluation without re-sending to the other early', async () => {
    const good = new RecordingNotifier('good');
    const flaky = new RecordingNotifier('flaky');
    const log = logger();
    const delivery = new AlertDelivery({ notifiers: [good, flaky], resend: { resendIntervalMs: 60 * S }, logger: log });
    flaky.failing = true;
    const first = await delivery.deliverAll([firing('a')], 0);
    flaky.failing = false;
    await delivery.deliver([firing('a')], 30 * S);
    expect(good.batches).toEqual([{ now: 0, keys: ['a:firing'] }]);
    expect(flaky.batches).toEqual([{ now: 30 * S, keys: ['a:firing'] }]);
    expect(first).toEqual([
      { notifier: 'good', sent: 1, silenced: 0 },
      { notifier: 'flaky', sent: 0, silenced: 0, error: { message: 'POST http://flaky/ failed: HTTP 503', code: 'server-error', retryable: true } },
    ]);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.fields.notifier)).toEqual(['flaky']);
  });

  test('silences apply to every notifier; when loading them fails, the last ones loaded still apply', async () => {
    const notifier = new RecordingNotifier('n');
    let silences: Silence[] | Error = [{ matchers: { slo: 'a' }, startsAt: 0, endsAt: 1000 * S }];
    const log = logger();
    const delivery = new AlertDelivery({
      notifiers: [notifier], resend: { resendIntervalMs: 60 * S }, logger: log,
      silences: async () => {
        if (silences instanceof Error) throw silences;
        return silences;
      },
    });
    expect(await delivery.deliverAll([firing('a'), firing('b')], 0)).toEqual([{ notifier: 'n', sent: 1, silenced: 1 }]);
    silences = new Error('store unavailable');
    await delivery.deliver([firing('a'), firing('b')], 60 * S);
    expect(notifier.batches.map((b) => b.keys)).toEqual([['b:firing'], ['b:firing']]);
    expect(log.lines.some((l) => l.level === 'warn' && /could not load silences/.test(l.message))).toBe(true);
  });

  describe('through a real webhook', () => {
    let server: Server;
    let url: string;
    const bodies: unknown[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    });
    afterAll(() => new Promise((r) => server.close(r)));

    test('over several evaluations a receiver gets the firing alert, its re-send and its resolution, nothing more', async () => {
      const delivery = new AlertDelivery({ notifiers: [new WebhookNotifier({ url })], resend: { resendIntervalMs: 60 * S, resolvedRepeats: 0 }, logger: logger() });
      const a = firing('a');
      const done = { ...a, state: 'resolved' as const, endsAt: 90 * S };
      for (const [at, handed] of [[0, a], [30, a], [60, a], [90, done], [120, done]] as const) await delivery.deliver([handed], at * S);
      expect(bodies.map((b) => (b as { alerts: Array<{ status: string }> }).alerts.map((x) => x.status))).toEqual([['firing'], ['firing'], ['resolved']]);
    });
  });
});
