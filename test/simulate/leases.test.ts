import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { failure, useEmulator } from './kube-client.js';
import { lease } from './fixtures.js';

const clients = useEmulator();
const ns = 'mlwarden';
const T0 = new Date('2026-11-24T12:00:00Z');

/** One contender's renewal: replace the read Lease with itself as holder, keeping the read resourceVersion. */
function takeOver(read: V1Lease, holder: string, at: Date): V1Lease {
  return { ...read, spec: { ...read.spec, holderIdentity: holder, renewTime: new V1MicroTime(at.getTime()), leaseTransitions: (read.spec?.leaseTransitions ?? 0) + 1 } };
}

describe('coordination.k8s.io/v1 Lease', () => {
  test('Two contenders creating the same Lease should leave one holder and give the other 409 AlreadyExists', async () => {
    const { coordination } = clients();
    const results = await Promise.allSettled([
      coordination.createNamespacedLease({ namespace: ns, body: lease('mlwarden-leader', 'replica-a', T0) }),
      coordination.createNamespacedLease({ namespace: ns, body: lease('mlwarden-leader', 'replica-b', T0) }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((loser.reason as { code: number }).code).toBe(409);
  });

  test('Renewing with the read resourceVersion should succeed and keep the holder', async () => {
    const { coordination } = clients();
    const created = await coordination.createNamespacedLease({ namespace: ns, body: lease('mlwarden-leader', 'replica-a', T0) });
    const renewAt = new V1MicroTime(T0.getTime() + 5_000);
    const renewed = await coordination.replaceNamespacedLease({
      namespace: ns,
      name: 'mlwarden-leader',
      body: { ...created, spec: { ...created.spec, renewTime: renewAt } },
    });
    expect(renewed.spec?.holderIdentity).toBe('replica-a');
    // client-node hands MicroTime fields back as the server's string (six fractional digits)
    expect(renewed.spec?.renewTime).toBe('2026-11-24T12:00:05.000000Z');
  });

  test('Two contenders replacing an expired Lease from the same read should leave one winner and give the other 409 Conflict', async () => {
    const { coordination } = clients();
    await coordination.createNamespacedLease({ namespace: ns, body: lease('mlwarden-leader', 'replica-old', T0) });
    const read = await coordination.readNamespacedLease({ namespace: ns, name: 'mlwarden-leader' });
    const at = new Date(T0.getTime() + 60_000);
    const results = await Promise.allSettled(
      ['replica-a', 'replica-b'].map((holder) =>
        coordination.replaceNamespacedLease({ namespace: ns, name: 'mlwarden-leader', body: takeOver(read, holder, at) }),
      ),
    );
    const winners = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.spec?.holderIdentity] : []));
    expect(winners).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((loser.reason as { code: number }).code).toBe(409);
    const final = await coordination.readNamespacedLease({ namespace: ns, name: 'mlwarden-leader' });
    expect(final.spec?.holderIdentity).toBe(winners[0]);
    expect(final.spec?.leaseTransitions).toBe(1);
  });

  test('A holder renewing after losing the Lease should get 409 Conflict', async () => {
    const { coordination } = clients();
    const mine = await coordination.createNamespacedLease({ namespace: ns, body: lease('mlwarden-leader', 'replica-a', T0) });
    await coordination.replaceNamespacedLease({ namespace: ns, name: 'mlwarden-leader', body: takeOver(mine, 'replica-b', new Date(T0.getTime() + 20_000)) });
    const status = await failure(
      coordination.replaceNamespacedLease({ namespace: ns, name: 'mlwarden-leader', body: { ...mine, spec: { ...mine.spec, renewTime: new V1MicroTime(T0.getTime() + 21_000) } } }),
    );
    expect(status).toMatchObject({ code: 409, reason: 'Conflict' });
  });

  test('A renewTime sent as a plain Date (millisecond precision) should be refused with 400 like the real API server', async () => {
    const { coordination } = clients();
    const body = lease('mlwarden-leader', 'replica-a', T0);
    body.spec = { ...body.spec, renewTime: new Date(T0.getTime()) };
    const status = await failure(coordination.createNamespacedLease({ namespace: ns, body }));
    expect(status).toMatchObject({ code: 400, reason: 'BadRequest' });
  });
});
