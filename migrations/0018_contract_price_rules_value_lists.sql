CREATE TABLE `value_lists` (
	`name` text PRIMARY KEY NOT NULL,
	`kind` text DEFAULT 'text' NOT NULL,
	`values` text NOT NULL,
	`count` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `contracts` ADD `price_rules` text DEFAULT '[]' NOT NULL;