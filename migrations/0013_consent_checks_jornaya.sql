ALTER TABLE `campaigns` ADD `jornaya` text DEFAULT 'off' NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `jornaya_on_fail` text DEFAULT 'reject' NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `jornaya_on_timeout` text DEFAULT 'continue' NOT NULL;