// A round's posting permit (the fence between an erasure and a round in flight, kept by the lead's
// journal: see src/objects/lead-journal.ts and docs/ARCHITECTURE.md). Taken once per round, just
// before anything is posted — in the live round as the post gate opens, which is while the pings are
// out — and given back once the round's records are written. A refused permit means the lead was
// erased meanwhile: the round posts nothing. A journal that can't be reached refuses too (nothing is
// posted that an erasure could not have fenced); the lead is then retried like an unsold round.
import { errorText, log } from "../lib/log";
import type { Campaign } from "../rules/model";
import type { Services } from "../services";
import { PERMIT_SLACK_MS } from "../services/journal";

export interface Permit {
  /** Takes the permit: false when the round must post nothing. Never rejects. */
  take(): Promise<boolean>;
  /** Gives it back, if it was taken. Never rejects. */
  release(): Promise<void>;
  /** The lead was found erased when the permit was asked for. */
  readonly erased: boolean;
}

/** A lead stored before journals existed (`journal` null) has no fence: its rounds may post. */
export function postingPermit(
  svc: Pick<Services, "journal">,
  journal: string | null,
  leadId: string,
  campaign: Pick<Campaign, "pingTimeoutMs" | "postDeadlineMs">,
): Permit {
  let taken = false;
  let erased = false;
  return {
    async take() {
      if (!journal) return true;
      // Long enough for the round's pings and posts and then its record (the deadlines bound both).
      const until = Date.now() + campaign.pingTimeoutMs + campaign.postDeadlineMs + PERMIT_SLACK_MS;
      try {
        taken = await svc.journal.openPosting(journal, leadId, until);
        erased = !taken;
      } catch (err) {
        log("posting_permit_failed", { lead_id: leadId, error: errorText(err) }, "error");
      }
      return taken;
    },
    async release() {
      if (!taken || !journal) return;
      taken = false;
      await svc.journal
        .closePosting(journal, leadId)
        .catch((err: Error) => log("posting_permit_release_failed", { lead_id: leadId, error: err.message.slice(0, 200) }, "warn"));
    },
    get erased() {
      return erased;
    },
  };
}
