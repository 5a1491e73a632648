ALTER TABLE `contracts` ADD `api_headers` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `contracts` ADD `sample_ping_answer` text;--> statement-breakpoint
ALTER TABLE `contracts` ADD `sample_post_answer` text;