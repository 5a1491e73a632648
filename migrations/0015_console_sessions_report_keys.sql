CREATE TABLE `console_sessions` (
	`subject` text PRIMARY KEY NOT NULL,
	`epoch` integer DEFAULT 0 NOT NULL,
	`changed_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `sources` ADD `report_key_hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `sources_report_key_hash_unique` ON `sources` (`report_key_hash`);--> statement-breakpoint
-- Hand-added: changing a source's keys (rotating, removing or adding one) ends its console sessions.
-- A trigger, so an admin's plain UPDATE of the keys (docs/ADMIN.md) does it too; drizzle-kit does not
-- model triggers and leaves it alone.
CREATE TRIGGER `sources_keys_end_sessions` AFTER UPDATE OF `api_key_hash`, `api_key_hash_next`, `report_key_hash` ON `sources`
WHEN OLD.`api_key_hash` IS NOT NEW.`api_key_hash` OR OLD.`api_key_hash_next` IS NOT NEW.`api_key_hash_next` OR OLD.`report_key_hash` IS NOT NEW.`report_key_hash`
BEGIN
  INSERT OR IGNORE INTO `console_sessions` (`subject`, `epoch`, `changed_at`) VALUES ('source:' || NEW.`id`, 0, 0);
  UPDATE `console_sessions` SET `epoch` = `epoch` + 1, `changed_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  WHERE `subject` = 'source:' || NEW.`id`;
END;
