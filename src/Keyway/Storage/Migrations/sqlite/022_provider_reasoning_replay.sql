-- Whether a request Keyway translates for the provider's Chat endpoint gives assistant tool-call turns their reasoning back
-- (reasoning_replay: 1 yes, 0 no, NULL = the rule for its host: every host but OpenAI's and Cerebras's own APIs), for a
-- self-hosted or resold model behind a host the rule cannot know.
ALTER TABLE providers ADD COLUMN reasoning_replay INTEGER NULL;
