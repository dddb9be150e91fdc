/** Does a signal fire a policy's trigger at `now`? Each trigger is one small predicate. */
import type { DriftEpisodeTrigger, GpuIdleTrigger, GpuPendingTrigger, SloAlertTrigger, Trigger } from './policy.js';
import type { DriftEpisodeSignal, GpuContentionSignal, GpuIdleSignal, Signal, SloAlertSignal } from './signals.js';

export type TriggerMatch = { fired: true } | { fired: false; reason: string };

const FIRED: TriggerMatch = { fired: true };
const quiet = (reason: string): TriggerMatch => ({ fired: false, reason });

export function driftEpisodeFires(t: DriftEpisodeTrigger, s: DriftEpisodeSignal): TriggerMatch {
  if (s.model !== t.model) return quiet(`drift on model ${s.model}, not ${t.model}`);
  if (s.driftShare < t.minDriftShare) return quiet(`drift share ${s.driftShare} is under ${t.minDriftShare}`);
  if (s.peakPsi < t.minPsi) return quiet(`peak PSI ${s.peakPsi} is under ${t.minPsi}`);
  return FIRED;
}

export function sloAlertFires(t: SloAlertTrigger, s: SloAlertSignal): TriggerMatch {
  if (s.slo !== t.slo) return quiet(`alert on SLO ${s.slo}, not ${t.slo}`);
  if (t.severity === 'page' && s.severity !== 'page') return quiet(`a ${s.severity} alert; the policy acts on pages only`);
  return FIRED;
}

export function gpuPendingFires(t: GpuPendingTrigger, s: GpuContentionSignal, now: number): TriggerMatch {
  if (s.pending.priority < t.minPriority) return quiet(`pending job priority ${s.pending.priority} is under ${t.minPriority}`);
  const waited = now - s.pending.pendingSince;
  if (waited < t.pendingForMs) return quiet(`pending for ${Math.floor(waited / 1000)}s, under ${t.pendingForMs / 1000}s`);
  return FIRED;
}

export function gpuIdleFires(t: GpuIdleTrigger, s: GpuIdleSignal, now: number): TriggerMatch {
  const util = s.job.gpuUtilization;
  if (util === undefined) return quiet('no utilisation telemetry: no data is not idleness');
  if (util >= t.maxUtilization) return quiet(`GPU utilisation ${util} is not under ${t.maxUtilization}`);
  const idle = now - s.idleSince;
  if (idle < t.forMs) return quiet(`idle for ${Math.floor(idle / 1000)}s, under ${t.forMs / 1000}s`);
  return FIRED;
}

/** The trigger against any signal; a signal of another kind never fires it. */
export function triggerFires(trigger: Trigger, signal: Signal, now: number): TriggerMatch {
  if (trigger.type === 'drift_episode' && signal.kind === 'drift_episode') return driftEpisodeFires(trigger, signal);
  if (trigger.type === 'slo_alert' && signal.kind === 'slo_alert') return sloAlertFires(trigger, signal);
  if (trigger.type === 'gpu_pending' && signal.kind === 'gpu_contention') return gpuPendingFires(trigger, signal, now);
  if (trigger.type === 'gpu_idle' && signal.kind === 'gpu_idle') return gpuIdleFires(trigger, signal, now);
  return quiet(`a ${signal.kind} signal does not fire a ${trigger.type} trigger`);
}
