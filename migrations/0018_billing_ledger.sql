CREATE TABLE `billing_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`buyer_id` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `billing_events_buyer_idx` ON `billing_events` (`buyer_id`,`at`);--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`number` integer NOT NULL,
	`buyer_id` text NOT NULL,
	`period_from` integer NOT NULL,
	`period_to` integer NOT NULL,
	`issued_at` integer NOT NULL,
	`lines` text NOT NULL,
	`opening_cents` integer NOT NULL,
	`charges_cents` integer NOT NULL,
	`credits_cents` integer NOT NULL,
	`payments_cents` integer NOT NULL,
	`adjustments_cents` integer NOT NULL,
	`closing_cents` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_number_unique` ON `invoices` (`number`);--> statement-breakpoint
CREATE INDEX `invoices_buyer_period_idx` ON `invoices` (`buyer_id`,`period_from`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`entry_key` text NOT NULL,
	`account` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	`lead_id` text,
	`contract_id` text,
	`campaign_id` text,
	`reference` text,
	`memo` text,
	`booked_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_entry_leg_uq` ON `ledger_entries` (`entry_key`,`account`);--> statement-breakpoint
CREATE INDEX `ledger_account_at_idx` ON `ledger_entries` (`account`,`at`);--> statement-breakpoint
CREATE INDEX `ledger_at_idx` ON `ledger_entries` (`at`);--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`signed_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`outcome` text NOT NULL,
	`buyer_id` text,
	`amount_cents` integer,
	`entry_key` text
);
--> statement-breakpoint
ALTER TABLE `buyers` ADD `billing` text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE `buyers` ADD `credit_limit_cents` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `buyers` ADD `low_balance_cents` integer;--> statement-breakpoint
ALTER TABLE `buyers` ADD `billing_epoch` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `buyers` ADD `billing_since` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `paused_by_buyer` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Hand-added: changing a buyer's billing mode or credit limit moves its billing epoch on and stamps
-- the time, so its wallet object reads its balance from the ledger again (src/objects/buyer-wallet.ts).
-- A trigger, so an admin's plain UPDATE does it too; drizzle-kit does not model triggers.
CREATE TRIGGER `buyers_billing_epoch` AFTER UPDATE OF `billing`, `credit_limit_cents` ON `buyers`
WHEN OLD.`billing` IS NOT NEW.`billing` OR OLD.`credit_limit_cents` IS NOT NEW.`credit_limit_cents`
BEGIN
  UPDATE `buyers` SET `billing_epoch` = `billing_epoch` + 1,
    `billing_since` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
-- Hand-added: the books start with what was sold and returned before the ledger existed, booked at
-- the sale's and the decision's time by the same rules as src/billing/ledger.ts (zero legs left out).
INSERT OR IGNORE INTO `ledger_entries` (`entry_key`, `account`, `amount_cents`, `kind`, `at`, `lead_id`, `contract_id`, `campaign_id`, `booked_by`)
SELECT 'sale:' || p.lead_id || ':' || p.contract_id, leg.account, leg.amount, 'sale', p.created_at, p.lead_id, p.contract_id, l.campaign_id, 'backfill'
FROM posts p JOIN contracts c ON c.id = p.contract_id JOIN leads l ON l.id = p.lead_id
JOIN (
  SELECT p2.id AS post_id, 'buyer:' || c2.buyer_id AS account, -p2.price_cents AS amount FROM posts p2 JOIN contracts c2 ON c2.id = p2.contract_id
  UNION ALL SELECT p2.id, 'source:' || l2.source_id, p2.payout_cents FROM posts p2 JOIN leads l2 ON l2.id = p2.lead_id
  UNION ALL SELECT p2.id, 'house', p2.price_cents - p2.payout_cents FROM posts p2
) AS leg ON leg.post_id = p.id
WHERE p.outcome = 'accepted' AND leg.amount != 0;
--> statement-breakpoint
INSERT OR IGNORE INTO `ledger_entries` (`entry_key`, `account`, `amount_cents`, `kind`, `at`, `lead_id`, `contract_id`, `campaign_id`, `booked_by`)
SELECT 'return:' || r.lead_id || ':' || r.contract_id, leg.account, leg.amount, 'return', COALESCE(r.decided_at, r.created_at), r.lead_id, r.contract_id, r.campaign_id, 'backfill'
FROM returns r JOIN contracts c ON c.id = r.contract_id
JOIN (
  SELECT r2.id AS return_id, 'buyer:' || c2.buyer_id AS account, r2.price_cents AS amount FROM returns r2 JOIN contracts c2 ON c2.id = r2.contract_id
  UNION ALL SELECT r2.id, 'source:' || r2.source_id, -r2.clawback_cents FROM returns r2
  UNION ALL SELECT r2.id, 'house', r2.clawback_cents - r2.price_cents FROM returns r2
) AS leg ON leg.return_id = r.id
WHERE r.status = 'approved' AND leg.amount != 0;
