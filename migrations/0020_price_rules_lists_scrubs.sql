CREATE TABLE `scrub_cache` (
	`vendor_key` text NOT NULL,
	`fingerprint` text NOT NULL,
	`outcome` text NOT NULL,
	`detail` text,
	`checked_at` integer NOT NULL,
	PRIMARY KEY(`vendor_key`, `fingerprint`)
);
--> statement-breakpoint
CREATE INDEX `scrub_cache_fingerprint_idx` ON `scrub_cache` (`fingerprint`);--> statement-breakpoint
CREATE TABLE `scrub_calls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` text NOT NULL,
	`lead_id` text NOT NULL,
	`name` text NOT NULL,
	`vendor` text NOT NULL,
	`outcome` text NOT NULL,
	`cached` integer NOT NULL,
	`cost_cents` integer NOT NULL,
	`latency_ms` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `scrub_calls_campaign_idx` ON `scrub_calls` (`campaign_id`,`at`);--> statement-breakpoint
CREATE TABLE `value_lists` (
	`name` text PRIMARY KEY NOT NULL,
	`kind` text DEFAULT 'text' NOT NULL,
	`values` text NOT NULL,
	`count` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `campaigns` ADD `scrubs` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `price_rules` text DEFAULT '[]' NOT NULL;