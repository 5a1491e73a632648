CREATE TABLE `breaker_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`contract_id` text NOT NULL,
	`at` integer NOT NULL,
	`from_state` text NOT NULL,
	`to_state` text NOT NULL,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `breaker_events_contract_idx` ON `breaker_events` (`contract_id`,`at`);--> statement-breakpoint
CREATE TABLE `contract_health` (
	`contract_id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`since` integer NOT NULL,
	`until` integer,
	`trips` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `campaigns` ADD `max_bid_cents` integer;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `pings_per_minute` integer;--> statement-breakpoint
ALTER TABLE `contracts` ADD `max_bid_cents` integer;--> statement-breakpoint
ALTER TABLE `contracts` ADD `breaker_window_s` integer DEFAULT 900 NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `breaker_min_samples` integer DEFAULT 20 NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `breaker_reject_pct` integer DEFAULT 80;--> statement-breakpoint
ALTER TABLE `contracts` ADD `breaker_error_pct` integer DEFAULT 50;--> statement-breakpoint
ALTER TABLE `contracts` ADD `breaker_timeout_pct` integer DEFAULT 50;--> statement-breakpoint
ALTER TABLE `contracts` ADD `breaker_cooldown_s` integer DEFAULT 300 NOT NULL;--> statement-breakpoint
ALTER TABLE `sources` ADD `turnstile` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `sources` ADD `turnstile_secret` text;--> statement-breakpoint
ALTER TABLE `sources` ADD `ip_per_minute` integer DEFAULT 20;--> statement-breakpoint
ALTER TABLE `sources` ADD `key_per_minute` integer DEFAULT 600;--> statement-breakpoint
ALTER TABLE `sources` ADD `pings_per_minute` integer DEFAULT 600;--> statement-breakpoint
ALTER TABLE `sources` ADD `daily_lead_quota` integer;--> statement-breakpoint
-- Hand-added: sources that existed before Turnstile keep working (their forms carry no widget yet);
-- an admin turns it on per source once the form renders the widget. New sources default to on.
UPDATE `sources` SET `turnstile` = 0;
