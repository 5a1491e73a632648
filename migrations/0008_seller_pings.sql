CREATE TABLE `seller_pings` (
	`ping_id` text PRIMARY KEY NOT NULL,
	`source_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`bids` integer NOT NULL,
	`payout_cents` integer NOT NULL,
	`lead_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `seller_pings_source_idx` ON `seller_pings` (`source_id`,`created_at`);