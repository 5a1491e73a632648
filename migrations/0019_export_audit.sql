CREATE TABLE `data_exports` (
	`id` text PRIMARY KEY NOT NULL,
	`requested_by` text NOT NULL,
	`kind` text NOT NULL,
	`format` text NOT NULL,
	`include_pii` integer NOT NULL,
	`filters` text NOT NULL,
	`rows` integer,
	`at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `data_exports_at_idx` ON `data_exports` (`at`);--> statement-breakpoint
CREATE INDEX `returns_created_idx` ON `returns` (`created_at`);