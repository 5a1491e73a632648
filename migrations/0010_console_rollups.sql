CREATE TABLE `rollup_contracts` (
	`grain` text NOT NULL,
	`bucket` integer NOT NULL,
	`contract_id` text NOT NULL,
	`pings` integer DEFAULT 0 NOT NULL,
	`bids` integer DEFAULT 0 NOT NULL,
	`bid_cents` integer DEFAULT 0 NOT NULL,
	`timeouts` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`posts` integer DEFAULT 0 NOT NULL,
	`accepted` integer DEFAULT 0 NOT NULL,
	`rejected` integer DEFAULT 0 NOT NULL,
	`post_failed` integer DEFAULT 0 NOT NULL,
	`revenue_cents` integer DEFAULT 0 NOT NULL,
	`lat_0` integer DEFAULT 0 NOT NULL,
	`lat_1` integer DEFAULT 0 NOT NULL,
	`lat_2` integer DEFAULT 0 NOT NULL,
	`lat_3` integer DEFAULT 0 NOT NULL,
	`lat_4` integer DEFAULT 0 NOT NULL,
	`lat_5` integer DEFAULT 0 NOT NULL,
	`lat_6` integer DEFAULT 0 NOT NULL,
	`bid_0` integer DEFAULT 0 NOT NULL,
	`bid_1` integer DEFAULT 0 NOT NULL,
	`bid_2` integer DEFAULT 0 NOT NULL,
	`bid_3` integer DEFAULT 0 NOT NULL,
	`bid_4` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`grain`, `bucket`, `contract_id`)
);
--> statement-breakpoint
CREATE TABLE `rollup_marks` (
	`lead_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`token` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`lead_id`, `attempt`)
);
--> statement-breakpoint
CREATE TABLE `rollup_reasons` (
	`grain` text NOT NULL,
	`bucket` integer NOT NULL,
	`contract_id` text NOT NULL,
	`outcome` text NOT NULL,
	`reason` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`grain`, `bucket`, `contract_id`, `outcome`, `reason`)
);
--> statement-breakpoint
CREATE INDEX `leads_created_idx` ON `leads` (`created_at`);