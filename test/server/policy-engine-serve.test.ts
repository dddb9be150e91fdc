import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { until } from '../support/network-link.js';
import { startServer, stopAllServers } from '../support/server-process.js';

const ADMIN = 'admin-token-0123456789abcdef01';
const READER = 'ingest-token-0123456789abcdef';
const dataDir = mkdtempSync(join(tmpdir(), 'mlwarden-policies-'));
afterAll(async () => {
  await stopAllServers();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('mlwarden serve with policies and no cluster configured', () => {
  test('leads on the emulated cluster, exports policy metrics, serves the action log, stops cleanly', async () => {
    const server = await startServer({
      dataDir,
      config: {
        auth: { admin_tokens: [ADMIN], ingest_tokens: [READER] },
        orchestration: { policy_files: [resolve(import.meta.dirname, '../../examples/policies')], interval_s: 0.2, lease: { duration_s: 1.5, renew_deadline_s: 1, retry_period_s: 0.2 } },
      },
    });
    await until(() => server.logs().some((l) => l.msg === 'leading: the policy engine acts from this replica'), 10_000, 'leadership');
    expect(server.logs().some((l) => l.msg === 'no Kubernetes cluster configured: acting on the in-process emulator')).toBe(true);
    const actions = await fetch(`${server.url}/v1/actions`, { headers: { authorization: `Bearer ${READER}` } });
    expect(actions.status).toBe(200);
    expect(await actions.json()).toEqual([]);
    const missing = await fetch(`${server.url}/v1/actions/nope/approve`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(missing.status).toBe(404);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('mlwarden_policy_actions_in_flight{policy="retrain-fraud-on-drift",status="awaiting-approval"} 0');
    expect(metrics).toContain('mlwarden_policy_circuit_breaker_open{policy="rollback-fraud-on-latency-page"} 0');
    expect((await server.stop()).code).toBe(0);
  }, 60_000);
});
