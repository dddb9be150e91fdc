/**
 * Whether one feature-window is drifting, sample-size aware:
 *   - fewer than `minSampleSize` current observations (default 200) → "insufficient", never "ok":
 *     at a few dozen observations PSI is mostly noise;
 *   - otherwise "drifting" only when PSI exceeds both the feature's threshold (default 0.1) and the
 *     no-drift critical value (1/n + 1/m)·χ²_{B−1, 1−α}·q (α default 0.01, q the small-sample
 *     factor when the bins are known; critical-value.ts), so
 *     small windows do not raise false alarms and large ones still use the familiar thresholds;
 *   - severity "significant" when PSI also exceeds max(significant threshold (0.25), critical value).
 */
import { z } from 'zod';
import { DEFAULT_ALPHA, windowCriticalValue } from './critical-value.js';

export type WindowStatus = 'ok' | 'drifting' | 'insufficient';
export type DriftSeverity = 'none' | 'moderate' | 'significant';

export interface DriftPolicy {
  minSampleSize: number;
  moderate: number;
  significant: number;
  alpha: number;
}

export const DEFAULT_DRIFT_POLICY: Readonly<DriftPolicy> = { minSampleSize: 200, moderate: 0.1, significant: 0.25, alpha: DEFAULT_ALPHA };

/** Per-feature overrides as written in specs (snake_case), defaults filled in. */
export const driftPolicySchema = z
  .strictObject({
    min_sample_size: z.number().int().min(1).default(DEFAULT_DRIFT_POLICY.minSampleSize),
    moderate: z.number().positive().default(DEFAULT_DRIFT_POLICY.moderate),
    significant: z.number().positive().default(DEFAULT_DRIFT_POLICY.significant),
    alpha: z.number().gt(0).lt(1).default(DEFAULT_DRIFT_POLICY.alpha),
  })
  .refine((p) => p.significant >= p.moderate, { message: 'must be at least the moderate threshold', path: ['significant'] })
  .transform((p): DriftPolicy => ({ minSampleSize: p.min_sample_size, moderate: p.moderate, significant: p.significant, alpha: p.alpha }));

export interface DriftEvidence {
  psi: number | null;
  /** Bins that took part in the PSI (B). */
  bins: number;
  /** Reference and current observations over those bins. */
  n: number;
  m: number;
  /** The bins' pooled proportions (ref + cur)/(n + m); when given, the small-sample factor applies. */
  pooled?: readonly number[];
}

export interface DriftDecision {
  status: WindowStatus;
  severity: DriftSeverity;
  psi: number | null;
  criticalValue: number | null;
  /** The PSI the window had to exceed: max(moderate threshold, critical value). */
  threshold: number | null;
  reason: string;
}

const fmt = (x: number) => (Math.abs(x) >= 0.001 || x === 0 ? x.toFixed(3) : x.toExponential(2));

function insufficient(evidence: DriftEvidence, policy: DriftPolicy): DriftDecision {
  const reason =
    evidence.psi === null
      ? `no comparable observations (reference ${evidence.n}, window ${evidence.m})`
      : `window has ${evidence.m} observations; at least ${policy.minSampleSize} are needed`;
  return { status: 'insufficient', severity: 'none', psi: evidence.psi, criticalValue: null, threshold: null, reason };
}

export function decideDrift(evidence: DriftEvidence, policy: DriftPolicy = DEFAULT_DRIFT_POLICY): DriftDecision {
  const { psi, n, m, bins } = evidence;
  if (psi === null || n === 0 || m < policy.minSampleSize || m === 0) return insufficient(evidence, policy);
  const criticalValue = windowCriticalValue(psi, n, m, bins, policy.alpha, evidence.pooled);
  const threshold = Math.max(policy.moderate, criticalValue);
  const severity: DriftSeverity = psi > Math.max(policy.significant, criticalValue) ? 'significant' : psi > threshold ? 'moderate' : 'none';
  const status: WindowStatus = severity === 'none' ? 'ok' : 'drifting';
  const against = `threshold ${fmt(policy.moderate)}, no-drift critical value ${fmt(criticalValue)} (n=${n}, m=${m}, B=${bins}, α=${policy.alpha})`;
  const reason =
    status === 'drifting'
      ? `PSI ${fmt(psi)} exceeds ${against}`
      : psi > policy.moderate
        ? `PSI ${fmt(psi)} exceeds the threshold but not what identical distributions reach by chance at these sizes: ${against}`
        : `PSI ${fmt(psi)} is within ${against}`;
  return { status, severity, psi, criticalValue, threshold, reason };
}
