CREATE TABLE `contract_quality` (
	`contract_id` text PRIMARY KEY NOT NULL,
	`score_bps` integer NOT NULL,
	`purchases` integer NOT NULL,
	`return_rate_bps` integer NOT NULL,
	`reject_rate_bps` integer NOT NULL,
	`failure_rate_bps` integer NOT NULL,
	`positive_rate_bps` integer NOT NULL,
	`computed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `experiments` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`variants` text NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer
);
--> statement-breakpoint
CREATE TABLE `feedback` (
	`lead_id` text NOT NULL,
	`contract_id` text NOT NULL,
	`outcome` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`lead_id`, `contract_id`, `outcome`)
);
--> statement-breakpoint
CREATE INDEX `feedback_contract_created_idx` ON `feedback` (`contract_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `returns` (
	`id` text PRIMARY KEY NOT NULL,
	`lead_id` text NOT NULL,
	`contract_id` text NOT NULL,
	`source_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`reason` text NOT NULL,
	`note` text,
	`status` text NOT NULL,
	`requested_by` text NOT NULL,
	`price_cents` integer NOT NULL,
	`clawback_cents` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `returns_lead_contract_uq` ON `returns` (`lead_id`,`contract_id`);--> statement-breakpoint
CREATE INDEX `returns_contract_created_idx` ON `returns` (`contract_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `campaigns` ADD `quality_weighting` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `quality_window_days` integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `quality_return_weight` integer DEFAULT 100 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `quality_reject_weight` integer DEFAULT 25 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `quality_failure_weight` integer DEFAULT 25 NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `quality_positive_weight` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `return_window_h` integer DEFAULT 72 NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `return_cap_bps` integer DEFAULT 1500 NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `return_reasons` text DEFAULT '["bad_data","disconnected","duplicate","wrong_person","not_interested"]' NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `return_auto_approve` text DEFAULT '["bad_data","disconnected"]' NOT NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `experiment_id` text;--> statement-breakpoint
ALTER TABLE `leads` ADD `variant` text;--> statement-breakpoint
CREATE INDEX `leads_experiment_idx` ON `leads` (`experiment_id`,`variant`);--> statement-breakpoint
ALTER TABLE `sources` ADD `return_clawback` integer DEFAULT true NOT NULL;