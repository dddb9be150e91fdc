/**
 * Which job a pod belongs to. A resolver given by the caller (e.g. one reading the pod's
 * ownerReferences) is authoritative; without one, `jobFromPodName` guesses from the name.
 */
export type PodJobResolver = (pod: string, namespace: string) => string | undefined;

/** Replica suffixes of Kubeflow training-operator pods: `<job>-master-0`, `<job>-worker-3`, TFJob `-chief-0`/`-ps-1`/`-evaluator-0`. */
const TRAINING_REPLICA = /-(?:master|worker|chief|ps|evaluator|launcher)-\d+$/;
/** The 5-character suffix the Job controller appends (Kubernetes' random-string alphabet has no vowels, 0, 1 or 3). */
const JOB_POD_SUFFIX = /-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

/**
 * The heuristic: a training-operator pod drops its replica suffix; otherwise a Job pod drops its random
 * suffix; a name matching neither is returned as is. It can be wrong (an Indexed Job's pod keeps its
 * `-<index>`, a Deployment pod keeps its ReplicaSet hash, a pod whose name happens to end in five such
 * characters loses them): pass a resolver when that matters.
 */
export function jobFromPodName(pod: string): string {
  return TRAINING_REPLICA.test(pod) ? pod.replace(TRAINING_REPLICA, '') : pod.replace(JOB_POD_SUFFIX, '');
}

export function jobOf(pod: string, namespace: string, resolver?: PodJobResolver): string {
  if (pod === '') return '';
  return resolver ? (resolver(pod, namespace) ?? '') : jobFromPodName(pod);
}
