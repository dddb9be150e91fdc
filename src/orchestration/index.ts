/**
 * The orchestration layer: the only code that calls Kubernetes (`@kubernetes/client-node`).
 *
 *   const elector = new LeaderElector({ kubeConfig, namespace, leaseName, identity, onStartedLeading, onStoppedLeading });
 *   elector.start();            // contends for the Lease; act only while elector.isLeader()
 *   await elector.stop();       // steps down and releases the Lease
 */
export { LeaderElector, LEASE_DURATION_MS_ANNOTATION } from './leader-election.js';
export type { LeaderElectionEvent, LeaderElectorOptions } from './leader-election.js';
