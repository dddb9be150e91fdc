/** What the scheduler knows about a workload, from which each kind writes its status. */
export interface StatusSnapshot {
  state: 'pending' | 'running' | 'suspended' | 'succeeded' | 'failed';
  /** Current pods by replica type ('' for a Job) and phase. */
  pods: Array<{ replicaType: string; phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' }>;
  /** Failed attempts so far, and the replica type whose pod failed ('' for a Job). */
  failed: number;
  failedReplicaType: string;
  startTime?: string;
  completionTime?: string;
  failure?: { reason: string; message: string };
  /** Resumed after a suspend: the Suspended condition turns False instead of staying absent. */
  resumed: boolean;
}

export const countPods = (snapshot: StatusSnapshot, phase: string, replicaType?: string): number =>
  snapshot.pods.filter((p) => p.phase === phase && (replicaType === undefined || p.replicaType === replicaType)).length;
