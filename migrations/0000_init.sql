CREATE TABLE `buyers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`dedupe_window_s` integer DEFAULT 2592000 NOT NULL,
	`dedupe_scope` text DEFAULT 'buyer' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`fields` text NOT NULL,
	`mode` text DEFAULT 'auction' NOT NULL,
	`ping_timeout_ms` integer DEFAULT 800 NOT NULL,
	`floor_cents` integer DEFAULT 0 NOT NULL,
	`exclusive` integer DEFAULT true NOT NULL,
	`max_buyers` integer DEFAULT 1 NOT NULL,
	`dedupe_window_s` integer DEFAULT 2592000 NOT NULL,
	`post_deadline_ms` integer DEFAULT 3000 NOT NULL,
	`max_fanout` integer DEFAULT 100 NOT NULL,
	`require_consent` integer DEFAULT false NOT NULL,
	`retry_max_attempts` integer DEFAULT 5 NOT NULL,
	`retry_base_delay_s` integer DEFAULT 30 NOT NULL,
	`sale_window_s` integer DEFAULT 3600 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `campaigns_slug_unique` ON `campaigns` (`slug`);--> statement-breakpoint
CREATE TABLE `contracts` (
	`id` text PRIMARY KEY NOT NULL,
	`buyer_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`ping_url` text,
	`post_url` text NOT NULL,
	`protocol` text DEFAULT '{"kind":"native"}' NOT NULL,
	`secret` text NOT NULL,
	`timeout_ms` integer DEFAULT 500 NOT NULL,
	`pricing` text DEFAULT 'dynamic' NOT NULL,
	`fixed_price_cents` integer,
	`min_bid_cents` integer DEFAULT 0 NOT NULL,
	`bid_adjust_bps` integer DEFAULT 10000 NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`filters` text DEFAULT '[]' NOT NULL,
	`schedule` text,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`cap_hour` integer,
	`cap_day` integer,
	`cap_month` integer,
	`budget_day_cents` integer,
	`budget_month_cents` integer,
	`fallback` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`buyer_id`) REFERENCES `buyers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `contracts_campaign_idx` ON `contracts` (`campaign_id`);--> statement-breakpoint
CREATE TABLE `lead_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`lead_id` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `lead_events_lead_idx` ON `lead_events` (`lead_id`,`at`);--> statement-breakpoint
CREATE TABLE `leads` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`source_id` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`idempotency_key` text,
	`duplicate_of` text,
	`data` text NOT NULL,
	`consent` text,
	`meta` text NOT NULL,
	`phone_hash` text,
	`email_hash` text,
	`price_cents` integer DEFAULT 0 NOT NULL,
	`payout_cents` integer DEFAULT 0 NOT NULL,
	`margin_cents` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	`final_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `leads_source_idem_uq` ON `leads` (`source_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `leads_campaign_created_idx` ON `leads` (`campaign_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `leads_status_idx` ON `leads` (`status`);--> statement-breakpoint
CREATE TABLE `pings` (
	`id` text PRIMARY KEY NOT NULL,
	`lead_id` text NOT NULL,
	`contract_id` text NOT NULL,
	`attempt` integer DEFAULT 0 NOT NULL,
	`outcome` text NOT NULL,
	`reason` text,
	`http_status` integer,
	`latency_ms` integer,
	`bid_cents` integer,
	`effective_cents` integer,
	`bid_token` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `pings_lead_idx` ON `pings` (`lead_id`);--> statement-breakpoint
CREATE INDEX `pings_contract_idx` ON `pings` (`contract_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `posts` (
	`id` text PRIMARY KEY NOT NULL,
	`lead_id` text NOT NULL,
	`contract_id` text NOT NULL,
	`attempt` integer DEFAULT 0 NOT NULL,
	`outcome` text NOT NULL,
	`reason` text,
	`http_status` integer,
	`latency_ms` integer,
	`price_cents` integer NOT NULL,
	`payout_cents` integer DEFAULT 0 NOT NULL,
	`buyer_lead_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `posts_lead_idx` ON `posts` (`lead_id`);--> statement-breakpoint
CREATE INDEX `posts_contract_idx` ON `posts` (`contract_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `posts_one_sale_uq` ON `posts` (`lead_id`,`contract_id`) WHERE outcome = 'accepted';--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`api_key_hash` text,
	`publishable_key` text,
	`allowed_campaigns` text DEFAULT '["*"]' NOT NULL,
	`allowed_origins` text DEFAULT '[]' NOT NULL,
	`payout_type` text DEFAULT 'share' NOT NULL,
	`payout_value` integer DEFAULT 7000 NOT NULL,
	`success_url` text,
	`failure_url` text,
	`postback_url` text,
	`postback_secret` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sources_api_key_hash_unique` ON `sources` (`api_key_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `sources_publishable_key_unique` ON `sources` (`publishable_key`);--> statement-breakpoint
CREATE TABLE `suppressions` (
	`hash` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
