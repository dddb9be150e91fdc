import type { KubeObject } from './kube-object.js';
import { uidOf } from './kube-object.js';
import { podFacts, type PodFacts } from './pod-facts.js';
import type { SourceRole } from './run-sources.js';

interface Owner {
  role: Exclude<SourceRole, 'pod'>;
  object: KubeObject;
}

/**
 * The latest objects the watches delivered: workloads by uid and their pods by owner uid. Every
 * change answers with the workload uids it touched, which the collector then maps again.
 */
export class RunObjects {
  private readonly owners = new Map<string, Owner>();
  private readonly pods = new Map<string, PodFacts>();
  private readonly podsByOwner = new Map<string, Map<string, PodFacts>>();

  owner(uid: string): Owner | undefined {
    return this.owners.get(uid);
  }

  podsOf(ownerUid: string): PodFacts[] {
    return [...(this.podsByOwner.get(ownerUid)?.values() ?? [])];
  }

  put(role: SourceRole, object: KubeObject): string {
    if (role !== 'pod') {
      this.owners.set(uidOf(object), { role, object });
      return uidOf(object);
    }
    const facts = podFacts(object);
    this.podsByOwner.get(this.pods.get(facts.uid)?.ownerUid ?? '')?.delete(facts.uid);
    this.pods.set(facts.uid, facts);
    let group = this.podsByOwner.get(facts.ownerUid);
    if (group === undefined) this.podsByOwner.set(facts.ownerUid, (group = new Map()));
    group.set(facts.uid, facts);
    return facts.ownerUid;
  }

  remove(role: SourceRole, uid: string): string | undefined {
    if (role === 'pod') return this.removePod(uid);
    this.owners.delete(uid);
    this.podsByOwner.delete(uid);
    return undefined;
  }

  /**
   * A failed pod stays with its workload after it is deleted (operators replace failed pods under
   * the same name): it still explains why that attempt failed. It goes with the workload.
   */
  private removePod(uid: string): string | undefined {
    const previous = this.pods.get(uid);
    if (previous === undefined) return undefined;
    this.pods.delete(uid);
    if (previous.phase !== 'Failed') this.podsByOwner.get(previous.ownerUid)?.delete(uid);
    return previous.ownerUid;
  }
}
