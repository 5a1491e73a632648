CREATE TABLE `resales` (
	`id` text PRIMARY KEY NOT NULL,
	`lead_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`reason` text NOT NULL,
	`tier_days` integer NOT NULL,
	`return_id` text,
	`returned_contract_id` text,
	`round` integer NOT NULL,
	`status` text NOT NULL,
	`due_at` integer NOT NULL,
	`floor_cents` integer NOT NULL,
	`cert_check` integer DEFAULT false NOT NULL,
	`queued_at` integer,
	`started_at` integer,
	`done_at` integer,
	`outcome_reason` text,
	`buyers` integer DEFAULT 0 NOT NULL,
	`price_cents` integer DEFAULT 0 NOT NULL,
	`payout_cents` integer DEFAULT 0 NOT NULL,
	`margin_cents` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `resales_lead_round_uq` ON `resales` (`lead_id`,`round`);--> statement-breakpoint
CREATE UNIQUE INDEX `resales_lead_tier_uq` ON `resales` (`lead_id`,`tier_days`) WHERE return_id IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `resales_return_uq` ON `resales` (`return_id`);--> statement-breakpoint
CREATE INDEX `resales_due_idx` ON `resales` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `resales_done_idx` ON `resales` (`done_at`);--> statement-breakpoint
CREATE INDEX `resales_cert_idx` ON `resales` (`lead_id`) WHERE cert_check = 1;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `sell_by_value` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `resell_returns` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `resale_delay_s` integer DEFAULT 3600 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `resale_max_age_days` integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `aged_tiers` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `aged_sold` text DEFAULT 'shared' NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `aged_min_days` integer;--> statement-breakpoint
ALTER TABLE `contracts` ADD `aged_max_days` integer;--> statement-breakpoint
ALTER TABLE `contracts` ADD `shared_price_bps` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `cert_until` integer;--> statement-breakpoint
ALTER TABLE `posts` ADD `exclusive` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `posts` ADD `resale_id` text;--> statement-breakpoint
CREATE INDEX `posts_resale_idx` ON `posts` (`resale_id`);