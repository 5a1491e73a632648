ALTER TABLE `contracts` ADD `ping_secret` text;--> statement-breakpoint
ALTER TABLE `contracts` ADD `secret_next` text;--> statement-breakpoint
ALTER TABLE `contracts` ADD `ping_secret_next` text;