/**
 * A backtest against what the live engine did: actions are matched by idempotency key, which
 * depends on the signal (episode start, alert firing time, pending job), not on when a pass ran.
 */
import { wouldAct, type BacktestReport } from './backtest.js';

/** What the comparison needs of an `actions` row. */
export interface LiveAction {
  id: string;
  status: string;
}

export interface BacktestComparison {
  /** Ids both the replay and the live run acted on. */
  matched: string[];
  /** Acted on live, not in the replay. */
  liveOnly: string[];
  /** In the replay, not acted on live. */
  replayOnly: string[];
  /** True when the replay reports exactly the actions the live run took. */
  agree: boolean;
}

/** Live actions count when decided to act (any status but denied); the replay's when it would act. */
export function compareWithActions(report: BacktestReport, actions: readonly LiveAction[]): BacktestComparison {
  const replayed = new Set(wouldAct(report).map((r) => r.id as string));
  const live = new Set(actions.filter((a) => a.status !== 'denied').map((a) => a.id));
  const matched = [...replayed].filter((id) => live.has(id)).sort();
  const liveOnly = [...live].filter((id) => !replayed.has(id)).sort();
  const replayOnly = [...replayed].filter((id) => !live.has(id)).sort();
  return { matched, liveOnly, replayOnly, agree: liveOnly.length === 0 && replayOnly.length === 0 };
}
