// A contract's quality score, from how its recent leads turned out. Pure, integer arithmetic, in
// basis points (10000 = 1.0). With the campaign's `quality_weighting` on, bids rank by
// bid x adjustment x score: a buyer that returns 20 % of its leads ranks as if it bid 20 % less, while
// still paying its own bid (Lead Prosper's "bid penalty").
//
//   score = 10000 - (wReturn x returnRate + wReject x rejectRate + wFailure x failureRate) / 100
//                 + min(MAX_POSITIVE_BONUS, wPositive x positiveRate / 100),   clamped to [MIN_SCORE, 10000]
//
// rates in basis points over the campaign's quality window: returnRate = approved returns /
// purchases; rejectRate = rejected / (accepted + rejected) posts; failureRate = timeouts and errors
// / pings and posts sent; positiveRate = purchases with positive feedback (contacted, converted) /
// purchases, leaving out leads the contract returned. Weights are percent (100: a 20 % return rate
// takes 20 % off). Positive feedback is the buyer's own word, which nobody checks: it can win back at
// most MAX_POSITIVE_BONUS, whatever the weight, so a buyer can't report its way out of its returns.
// Below MIN_DECIDED posts in the window the score is neutral (10000): too little history to judge.

export interface QualityWeights {
  returnWeight: number;
  rejectWeight: number;
  failureWeight: number;
  positiveWeight: number;
}

export interface QualityStats {
  purchases: number;
  returns: number;
  accepted: number;
  rejected: number;
  requests: number;
  failures: number;
  positive: number;
}

export interface Quality {
  scoreBps: number;
  returnRateBps: number;
  rejectRateBps: number;
  failureRateBps: number;
  positiveRateBps: number;
}

export const NEUTRAL = 10_000;
export const MIN_SCORE = 1_000;
export const MIN_DECIDED = 10;
/** The most self-reported positive feedback can add to a score (0.05). */
export const MAX_POSITIVE_BONUS = 500;
export const POSITIVE_OUTCOMES = ["contacted", "converted", "appointment", "sold"] as const;

const rate = (n: number, of: number) => (of > 0 ? Math.min(NEUTRAL, Math.floor((n * NEUTRAL) / of)) : 0);

export function qualityOf(s: QualityStats, w: QualityWeights): Quality {
  const returnRateBps = rate(s.returns, s.purchases);
  const rejectRateBps = rate(s.rejected, s.accepted + s.rejected);
  const failureRateBps = rate(s.failures, s.requests);
  const positiveRateBps = rate(s.positive, s.purchases);
  const rates = { returnRateBps, rejectRateBps, failureRateBps, positiveRateBps };
  if (s.accepted + s.rejected < MIN_DECIDED) return { scoreBps: NEUTRAL, ...rates };
  const penalty = Math.floor((w.returnWeight * returnRateBps + w.rejectWeight * rejectRateBps + w.failureWeight * failureRateBps) / 100);
  const bonus = Math.min(MAX_POSITIVE_BONUS, Math.max(0, Math.floor((w.positiveWeight * positiveRateBps) / 100)));
  return { scoreBps: Math.max(MIN_SCORE, Math.min(NEUTRAL, NEUTRAL - penalty + bonus)), ...rates };
}
