// Which limits a request is held to, from the source's and the campaign's rules. Pure.
import type { Campaign, Source } from "../rules/model";
import type { LimitCheck } from "./window";

const MINUTE = 60_000;

/**
 * The limits a submission meets, in two stages. The shield (per client IP, counted where the request
 * landed) runs first and cheaply, before anything is verified; the budget (per key, counted once for
 * the whole exchange) runs after a browser's Turnstile token is verified, so tokenless junk can't
 * spend a real user's share of a source's budget.
 */
export interface SubmissionLimits {
  shield: LimitCheck[];
  budget: LimitCheck[];
}

/**
 * The client's network as a limit key: an IPv4 address, or the /64 of an IPv6 one (a single client
 * gets a whole /64, so per-address keys would let it rotate freely). Pure.
 */
export function ipKey(ip: string): string {
  const addr = ip.trim().toLowerCase();
  if (!addr.includes(":")) return addr.slice(0, 64);
  const [head, tail = ""] = addr.split("::", 2) as [string, string?];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) takes two groups; only the first four groups matter here.
  const width = right.some((g) => g.includes(".")) ? right.length + 1 : right.length;
  const groups = addr.includes("::") ? [...left, ...Array<string>(Math.max(0, 8 - left.length - width)).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (g.replace(/^0+/, "") || "0").slice(0, 4))
    .join(":")}::/64`;
}

/** Browser submissions: per client network (shield) and per publishable key (budget); server submissions: per API key. */
export function submissionLimits(source: Source, channel: "browser" | "server", ip: string | null): SubmissionLimits {
  const shield: LimitCheck[] = [];
  const budget: LimitCheck[] = [];
  if (channel === "browser" && source.ipPerMinute !== null && ip)
    shield.push({ key: `ip:${source.id}:${ipKey(ip)}`, limit: source.ipPerMinute, periodMs: MINUTE });
  if (source.keyPerMinute !== null) budget.push({ key: `key:${source.id}:${channel}`, limit: source.keyPerMinute, periodMs: MINUTE });
  return { shield, budget };
}

/** A publisher's pings (POST /v1/pings): a budget for the source, counted once for the exchange. */
export function sellerPingLimits(source: Source): SubmissionLimits {
  return {
    shield: [],
    budget: source.pingsPerMinute === null ? [] : [{ key: `sp:${source.id}`, limit: source.pingsPerMinute, periodMs: MINUTE }],
  };
}

/**
 * The pings one round is about to send, against the campaign's pings per minute (a round larger than
 * the whole budget counts as the whole budget, so it can still go out at the start of a window).
 */
export function pingBudget(campaign: Campaign, pings: number): LimitCheck[] {
  const limit = campaign.pingsPerMinute;
  return limit === null || pings === 0 ? [] : [{ key: `pings:${campaign.id}`, limit, periodMs: MINUTE, cost: Math.min(pings, limit) }];
}
