-- How a provider's vendor takes the thinking switch Keyway writes for Chat requests (thinking_switch: 'none' writes none,
-- 'thinking_type' writes thinking:{type}, 'enable_thinking' writes enable_thinking) and which header carries its upstream key
-- (auth_header: 'bearer', 'x-api-key' or 'api-key'; NULL = the protocol's own, Bearer for OpenAI, x-api-key for Anthropic).
ALTER TABLE providers ADD COLUMN thinking_switch TEXT NOT NULL DEFAULT 'none';
ALTER TABLE providers ADD COLUMN auth_header TEXT NULL;
