// Which limits a request is held to, from the source's and the campaign's rules. Pure.
import type { Campaign, Source } from "../rules/model";
import type { LimitCheck } from "./window";

const MINUTE = 60_000;

/** Browser submissions: per client IP and per publishable key; server submissions: per API key. */
export function submissionLimits(source: Source, channel: "browser" | "server", ip: string | null): LimitCheck[] {
  const checks: LimitCheck[] = [];
  if (channel === "browser" && source.ipPerMinute !== null && ip)
    checks.push({ key: `ip:${source.id}:${ip.slice(0, 64)}`, limit: source.ipPerMinute, periodMs: MINUTE });
  if (source.keyPerMinute !== null) checks.push({ key: `key:${source.id}:${channel}`, limit: source.keyPerMinute, periodMs: MINUTE });
  return checks;
}

/** A publisher's pings (POST /v1/pings). */
export function sellerPingLimits(source: Source): LimitCheck[] {
  return source.pingsPerMinute === null ? [] : [{ key: `sp:${source.id}`, limit: source.pingsPerMinute, periodMs: MINUTE }];
}

/**
 * The pings one round is about to send, against the campaign's pings per minute (a round larger than
 * the whole budget counts as the whole budget, so it can still go out at the start of a window).
 */
export function pingBudget(campaign: Campaign, pings: number): LimitCheck[] {
  const limit = campaign.pingsPerMinute;
  return limit === null || pings === 0 ? [] : [{ key: `pings:${campaign.id}`, limit, periodMs: MINUTE, cost: Math.min(pings, limit) }];
}
