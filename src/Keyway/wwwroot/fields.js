// What each entity's create/edit form holds, in the admin API's own field names. A field another part of Keyway adds
// to an entity is one line here. Kinds: text (default), number, select, checkbox, password, json, list (comma-separated),
// lines (one item per line), datetime. A select option whose value is '' sends null: it removes the setting; a select with
// boolean: true sends its 'true' and 'false' as JSON true and false.

/** The web_search switch of a route or an issued key: auto searches when the group has a tool provider. */
const WEB_SEARCH_FIELD = { name: 'web_search', label: 'Web search', type: 'select', options: ['auto', 'off'] };

export const GROUP_FIELDS = [
  { name: 'group_id', label: 'Group id', required: true, createOnly: true, placeholder: 'team-a', help: 'Letters, digits, - and _.' },
  { name: 'name', label: 'Name', required: true },
  { name: 'note', label: 'Note' },
  { name: 'enabled', label: 'Enabled', type: 'checkbox', editOnly: true },
];

export const GROUP_COPY_FIELDS = [
  { name: 'new_name', label: 'New name', required: true },
  { name: 'new_group_id', label: 'New group id', placeholder: 'generated when empty' },
];

/** Base URLs for protocols other than the provider's: the provider's own, or a key's (which win over the provider's for it). */
const NATIVE_ENDPOINTS_FIELD = { name: 'native_endpoints', label: 'Native endpoints (JSON)', type: 'json', emptyValue: {}, placeholder: '{"anthropic":"https://api.deepseek.com/anthropic"}' };

export const PROVIDER_FIELDS = [
  { name: 'provider_id', label: 'Provider id', required: true, createOnly: true, placeholder: 'deepseek' },
  { name: 'name', label: 'Name', required: true },
  { name: 'protocol', label: 'Protocol', type: 'select', options: ['openai', 'anthropic', 'openai-responses'] },
  { name: 'base_url', label: 'Base URL', type: 'url', required: true, placeholder: 'https://api.deepseek.com/v1' },
  { name: 'api_key', label: 'First upstream key', type: 'password', required: true, createOnly: true, help: 'More keys: the key pool below.' },
  { name: 'timeout_seconds', label: 'Timeout (s)', type: 'number', keepWhenEmpty: true, placeholder: '300' },
  { name: 'routing_mode', label: 'Routing mode', type: 'select', options: ['round_robin', 'priority', 'only_first'] },
  {
    name: 'thinking_switch', label: 'Thinking switch', type: 'select', options: ['none', 'thinking_type', 'enable_thinking'],
    help: 'Chat vendors: thinking_type for DeepSeek, GLM, Kimi and Ark (thinking:{type}), enable_thinking for Qwen (DashScope).',
  },
  {
    name: 'auth_header', label: 'Auth header', type: 'select', options: [['', "the protocol's"], 'bearer', 'x-api-key', 'api-key'],
    help: 'The header carrying the upstream key: bearer for the Anthropic endpoints of OpenRouter, GLM, Kimi, MiniMax and Ark.',
  },
  {
    name: 'reasoning_replay', label: 'Reasoning replay', type: 'select', boolean: true, options: [['', 'by host'], ['true', 'yes'], ['false', 'no']],
    help: "Whether translated Chat requests give tool-call turns their reasoning back (reasoning_content). By host: all but OpenAI's and Cerebras's own APIs.",
  },
  {
    name: 'reasoning_split', label: 'Reasoning split', type: 'select', boolean: true, options: [['', 'by host'], ['true', 'yes'], ['false', 'no']],
    help: "Whether translated Chat requests ask MiniMax's reasoning_split (thinking apart from content). By host: MiniMax's own APIs; yes for a reseller or proxy of MiniMax's API.",
  },
  { name: 'max_retries', label: 'Max retries', type: 'number', placeholder: 'default' },
  { name: 'key_failure_threshold', label: 'Key failure threshold', type: 'number', placeholder: 'default' },
  { name: 'key_cooldown_seconds', label: 'Key cooldown (s)', type: 'number', placeholder: 'default' },
  {
    name: 'key_wait_seconds', label: 'Key wait (s)', type: 'number', min: 0, max: 600, placeholder: 'default',
    help: 'How long a request waits for a key to free or recover when every key is busy or cooling; 0 fails at once.',
  },
  NATIVE_ENDPOINTS_FIELD,
  { name: 'extra_headers', label: 'Extra headers (JSON)', type: 'json', emptyValue: {}, placeholder: '{"X-Title":"keyway"}' },
  { name: 'websocket', label: 'Responses over WebSocket', type: 'checkbox', default: false, help: 'Protocol openai-responses only.' },
  { name: 'note', label: 'Note' },
  { name: 'enabled', label: 'Enabled', type: 'checkbox', editOnly: true },
];

export const UPSTREAM_KEY_FIELDS = [
  { name: 'name', label: 'Key name', required: true, placeholder: 'backup' },
  { name: 'api_key', label: 'API key', type: 'password', required: true, help: 'On edit: a new secret replaces the old one, the key keeps its id and place.' },
  { name: 'models', label: 'Only these models', type: 'list', placeholder: 'any model' },
  { name: 'base_url', label: 'Own base URL', type: 'url', placeholder: "the provider's" },
  {
    ...NATIVE_ENDPOINTS_FIELD, label: 'Own native endpoints (JSON)', placeholder: '{"anthropic":"https://example.com/tokenplan/anthropic"}',
    help: "Where this key serves other protocols untranslated; without, the provider's (unless the key has its own base URL).",
  },
  { name: 'allow_visitor', label: 'Serves visitor keys', type: 'checkbox', default: false },
  { name: 'max_concurrency', label: 'Max concurrent requests', type: 'number', min: 1, max: 100000, placeholder: 'no limit', help: 'Over all instances sharing the database; streams count until they end.' },
];

/** provider options come from the page (the group's providers). */
export function routeFields(providerIds) {
  return [
    { name: 'alias', label: 'Alias', required: true, placeholder: 'chat' },
    { name: 'provider_id', label: 'Provider', type: 'select', options: providerIds },
    { name: 'upstream_model', label: 'Upstream model', required: true, placeholder: 'deepseek-chat' },
    { name: 'upstream_path', label: 'Upstream path', placeholder: 'for /v1/generations only' },
    WEB_SEARCH_FIELD,
    { name: 'allowed_paths', label: 'Allowed paths', type: 'lines', placeholder: '/v1/chat/completions\n/v1/images/*', help: 'One glob a line (* one segment, ** several). Empty: every path.' },
    { name: 'default_reasoning_effort', label: 'Default reasoning effort', type: 'select', options: [['', 'none'], 'low', 'medium', 'high'] },
    { name: 'max_tokens_cap', label: 'Max tokens cap', type: 'number', min: 1, max: 10000000, placeholder: 'no cap' },
    { name: 'default_temperature', label: 'Default temperature', type: 'number', min: 0, max: 2, step: 'any', placeholder: "the client's" },
    { name: 'allow_visitors', label: 'Open to visitor keys', type: 'checkbox', default: false },
    { name: 'note', label: 'Note' },
    { name: 'enabled', label: 'Enabled', type: 'checkbox', editOnly: true },
  ];
}

export function fallbackFields(providerIds) {
  return [
    { name: 'provider_id', label: 'Fallback provider', type: 'select', options: providerIds, createOnly: true },
    { name: 'upstream_model', label: 'Upstream model', placeholder: "the route's", keepWhenEmpty: true },
    { name: 'priority', label: 'Priority', type: 'number', placeholder: '0', keepWhenEmpty: true },
  ];
}

export function unifiedFields(routeAliases) {
  return [
    { name: 'alias', label: 'Unified model name', placeholder: 'unified-model' },
    { name: 'route_alias', label: 'Points at route', type: 'select', options: routeAliases },
    {
      name: 'key_name', label: 'Pinned upstream key', type: 'select', options: [['', 'any key']],
      help: "A key of the route's pool (its provider's and its fallbacks'); any key: the pool chooses.",
    },
  ];
}

export const ISSUED_KEY_FIELDS = [
  { name: 'name', label: 'Name', required: true, placeholder: 'alice' },
  { name: 'owner_user_id', label: 'Owner', placeholder: 'optional' },
  {
    name: 'plaintext', label: 'Existing key', type: 'password', createOnly: true, placeholder: 'generated when empty',
    help: 'A db_sk_ key clients already use (16+ characters after db_sk_), kept as it is.',
  },
  { name: 'expires_at', label: 'Expires', type: 'datetime', help: 'Empty: never.' },
  WEB_SEARCH_FIELD,
  { name: 'allowed_aliases', label: 'Allowed aliases', type: 'list', placeholder: 'every alias', help: 'Comma-separated; globs like deepseek-* allowed.' },
  { name: 'rpm', label: 'Requests / minute', type: 'number', min: 1, placeholder: 'no limit' },
  { name: 'tpm', label: 'Tokens / minute', type: 'number', min: 1, placeholder: 'no limit' },
  { name: 'max_concurrency', label: 'Max concurrent requests', type: 'number', min: 1, placeholder: 'no limit' },
  { name: 'daily_token_budget', label: 'Daily token budget', type: 'number', min: 1, placeholder: 'none', help: 'Input + output tokens per UTC day.' },
  { name: 'monthly_token_budget', label: 'Monthly token budget', type: 'number', min: 1, placeholder: 'none', help: 'Input + output tokens per UTC month.' },
  { name: 'visitor', label: 'Visitor key', type: 'checkbox', default: false, help: 'Served only by upstream keys and routes open to visitors.' },
  { name: 'enabled', label: 'Enabled', type: 'checkbox', editOnly: true },
];

export const TOOL_FIELDS = [
  { name: 'tool_id', label: 'Tool id', createOnly: true, placeholder: 'tavily' },
  { name: 'name', label: 'Name', required: true, placeholder: 'Tavily' },
  { name: 'kind', label: 'Kind', type: 'select', options: ['tavily'] },
  { name: 'api_key', label: 'API key', type: 'password', required: true },
  { name: 'config', label: 'Config (JSON)', type: 'json', asText: true, emptyValue: '{}', placeholder: '{"base_url":"https://api.tavily.com"}' },
  { name: 'enabled', label: 'Enabled', type: 'checkbox', editOnly: true },
];
