import type { Policy } from '../../src/domain/policy/index.js';
import type { AlertEventRecord } from '../../src/store/index.js';
import { policiesFrom } from '../orchestration/policy-harness.js';

/** A fraud-latency page changing state at `ts`, as the alert engine records it. */
export const pageEvent = (state: string, ts: number): AlertEventRecord => ({
  ts, slo: 'fraud-latency', severity: 'page', alertname: 'SLOBurn', dedupe_key: 'fraud-latency/page/model=fraud', group_labels: { model: 'fraud' },
  state, tier: 'page-fast', since: ts, firing_since: state === 'firing' ? ts : null, long_burn: 20, short_burn: 20,
});

/** Retrain on drift (with the given cooldown) and on the page, and a rollback on the page. */
export function backtestPolicies(driftCooldown: string): Policy[] {
  return policiesFrom(`
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: retrain-on-drift }
spec:
  trigger: { drift_episode: { model: fraud, min_drift_share: 0.3, min_psi: 0.2 } }
  action: { retrain: { target: { kfp: { pipeline_id: fraud-pipeline, pipeline_version_id: fraud-v3, experiment_id: retrain } } } }
  guardrails: { cooldown: ${driftCooldown} }
---
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: retrain-on-page }
spec:
  trigger: { slo_alert: { slo: fraud-latency, severity: page } }
  action: { retrain: { target: { kfp: { pipeline_id: fraud-pipeline, pipeline_version_id: fraud-v3, experiment_id: retrain } } } }
---
apiVersion: mlwarden.dev/v1
kind: Policy
metadata: { name: rollback-fraud }
spec:
  trigger: { slo_alert: { slo: fraud-latency, severity: page } }
  action: { rollback: { kind: kserve, name: fraud, namespace: serving, lookback: 1h } }
`);
}
