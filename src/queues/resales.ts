// Every minute (with the sweeper): resale offers in bounded, indexed batches — rounds whose worker died
// are recovered, offers whose message was lost are scheduled again, TrustedForm certificates of leads
// with offers waiting are checked in, and the offers that came due are handed to the retry queue
// (src/pipeline/resale.ts runs each). Long schedules (1, 7, 30 days) live in D1, not in queue delays,
// which Cloudflare caps at 12 hours.
import { log } from "../lib/log";
import { checkInCertificates, recoverResale } from "../pipeline/resale-offers";
import type { Rules } from "../rules/model";
import type { Services } from "../services";

/** Offers queued per run, certificates checked in per run, rounds recovered per run. */
const RESALE_BATCH = 100;
const CERT_BATCH = 50;
const STUCK_BATCH = 20;
/** A queued offer whose round has not started by then lost its message. */
const LOST_AFTER_MS = 15 * 60_000;
/** Resale rounds last seconds (their deadlines are bounded): one still running after this died. */
const STUCK_AFTER_MS = 5 * 60_000;

export async function runResales(svc: Services, rules: Rules, now = Date.now()) {
  const stuck = await svc.records.resale.stuck(now - STUCK_AFTER_MS, STUCK_BATCH);
  for (const offer of stuck) await recoverResale(svc, rules, offer, now);
  const requeued = await svc.records.resale.requeueLost(now - LOST_AFTER_MS);
  const certs = await checkInCertificates(svc, now, CERT_BATCH);
  const due = await svc.records.resale.queueDue(now, RESALE_BATCH);
  if (due.length) await svc.enqueue(due.map((resaleId) => ({ kind: "resale" as const, resaleId, at: now })));
  if (stuck.length || requeued || due.length) log("resales_queued", { queued: due.length, requeued, recovered: stuck.length, certs });
  return { queued: due.length, requeued, recovered: stuck.length, certs };
}
