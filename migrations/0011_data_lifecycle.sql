CREATE TABLE `retention_runs` (
	`campaign_id` text PRIMARY KEY NOT NULL,
	`last_run_at` integer NOT NULL,
	`redacted` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `campaigns` ADD `retention_days` integer DEFAULT 1095;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `consent_max_age_s` integer DEFAULT 86400;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `one_to_one` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `trustedform` text DEFAULT 'off' NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `verify_hooks` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `leads` ADD `redacted_at` integer;--> statement-breakpoint
CREATE INDEX `leads_phone_hash_idx` ON `leads` (`phone_hash`);--> statement-breakpoint
CREATE INDEX `leads_email_hash_idx` ON `leads` (`email_hash`);