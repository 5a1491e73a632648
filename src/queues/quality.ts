// Every minute (with the sweeper): each active contract's quality score (src/auction/quality.ts) from
// its recent history — the hourly rollups (posts, rejects, timeouts, errors), approved returns and
// positive feedback on leads it kept — over its campaign's window, saved in contract_quality and read with the rules.
import { qualityOf, type Quality } from "../auction/quality";
import type { Records } from "../db/records";
import type { Rules } from "../rules/model";

export async function computeQuality(records: Records, rules: Rules, now = Date.now()): Promise<Map<string, Quality>> {
  const spans = [...rules.contractsById.values()].flatMap((c) => {
    const campaign = rules.campaignsById.get(c.campaignId);
    return campaign ? [{ id: c.id, from: now - campaign.qualityWindowDays * 86_400_000, campaign }] : [];
  });
  const out = new Map<string, Quality>();
  if (spans.length === 0) return out;
  const history = await records.quality.history(spans.map((s) => ({ id: s.id, from: s.from })));
  for (const s of spans) {
    const h = history.get(s.id)!;
    const c = s.campaign;
    out.set(
      s.id,
      qualityOf(
        {
          purchases: h.accepted,
          returns: h.returns,
          accepted: h.accepted,
          rejected: h.rejected,
          requests: h.pings + h.posts,
          failures: h.failures,
          positive: h.positive,
        },
        {
          returnWeight: c.qualityReturnWeight,
          rejectWeight: c.qualityRejectWeight,
          failureWeight: c.qualityFailureWeight,
          positiveWeight: c.qualityPositiveWeight,
        },
      ),
    );
  }
  await records.quality.save(
    [...out].map(([id, q]) => ({ id, ...q, purchases: history.get(id)!.accepted })),
    now,
  );
  return out;
}
