/**
 * A silence (maintenance window): alerts whose labels match every matcher exactly are not delivered
 * between startsAt (inclusive) and endsAt (exclusive). Times are epoch ms.
 */
export interface Silence {
  matchers: Readonly<Record<string, string>>;
  startsAt: number;
  endsAt: number;
}

/**
 * Whether a silence covers these labels at `now`. As in Alertmanager, a matcher with an empty value
 * matches an alert that lacks the label. A silence without matchers covers nothing (a silence that
 * covers everything must be said explicitly, and the API refuses one without matchers).
 */
export function silenceMatches(silence: Silence, labels: Readonly<Record<string, string>>, now: number): boolean {
  if (now < silence.startsAt || now >= silence.endsAt) return false;
  const matchers = Object.entries(silence.matchers);
  return matchers.length > 0 && matchers.every(([name, value]) => (labels[name] ?? '') === value);
}

/** The first silence that covers these labels at `now`, if any. */
export function silencedBy<S extends Silence>(labels: Readonly<Record<string, string>>, silences: readonly S[], now: number): S | undefined {
  return silences.find((s) => silenceMatches(s, labels, now));
}

export function isSilenced(labels: Readonly<Record<string, string>>, silences: readonly Silence[], now: number): boolean {
  return silencedBy(labels, silences, now) !== undefined;
}
