-- Whether a request Keyway translates for the provider's Chat endpoint asks MiniMax's reasoning_split and replays reasoning
-- as reasoning_details (reasoning_split: 1 yes, 0 no, NULL = the rule for its host: MiniMax's own APIs), for a reseller or
-- proxy that passes MiniMax's API on under a host of its own.
ALTER TABLE providers ADD COLUMN reasoning_split INTEGER NULL;
