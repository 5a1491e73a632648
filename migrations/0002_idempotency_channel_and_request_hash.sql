ALTER TABLE `leads` ADD `request_hash` text;--> statement-breakpoint
-- Keys stored before channels existed: a source with an API key submitted from its server.
UPDATE `leads` SET `idempotency_key` = (CASE WHEN (SELECT `api_key_hash` FROM `sources` WHERE `sources`.`id` = `leads`.`source_id`) IS NOT NULL THEN 'server:' ELSE 'browser:' END) || `idempotency_key` WHERE `idempotency_key` IS NOT NULL AND `idempotency_key` NOT LIKE 'server:%' AND `idempotency_key` NOT LIKE 'browser:%';
