// The soak's load: configures Keyway through its admin API against bench/soak/upstream.mjs, then sends a paced mix of
// client requests and admin changes for --minutes, writing its counters to --stats (JSON) every 5 s and at the end.
// Run by bench/soak/run.sh; needs Node 20+ (started with --experimental-websocket on Node 20 and 21).
import fs from 'node:fs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const KEYWAY = args.keyway, UPSTREAM = args.upstream, ADMIN = args['admin-token'];
const MINUTES = Number(args.minutes || 30), RATE = Number(args.rate || 100), MAX_IN_FLIGHT = Number(args['in-flight'] || 24);
const STATS = args.stats;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const stats = { started_at: new Date().toISOString(), elapsed_s: 0, sent: 0, in_flight: 0, by_scenario: {}, by_status: {},
  network_errors: 0, unexpected: {}, admin: { calls: 0, failures: 0, last_failure: null }, ws: { sessions: 0, responses: 0, failures: 0, last_failure: null },
  stored_response_reads: { ok: 0, missing: 0 }, retention_seed_rows: 0 };

function count(scenario, status) {
  const s = (stats.by_scenario[scenario] ??= { sent: 0, statuses: {} });
  s.statuses[status] = (s.statuses[status] || 0) + 1;
  stats.by_status[status] = (stats.by_status[status] || 0) + 1;
}

async function admin(method, path, body, { allow = [] } = {}) {
  stats.admin.calls++;
  const res = await fetch(KEYWAY + path, { method, headers: { 'x-admin-token': ADMIN, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok && !allow.includes(res.status)) {
    stats.admin.failures++;
    stats.admin.last_failure = `${method} ${path} → ${res.status} ${text.slice(0, 300)}`;
    throw new Error(stats.admin.last_failure);
  }
  try { return JSON.parse(text); } catch { return text; }
}

// ---- configuration ----------------------------------------------------------------------------------------------
const G = '/admin/llm/groups/default';
async function configure() {
  await admin('POST', `${G}/providers`, { provider_id: 'soak-pool', name: 'soak-pool', protocol: 'openai', base_url: `${UPSTREAM}/v1`,
    api_keys: [{ name: 'ok', api_key: 'sk-soak-ok-0000000001' }, { name: 'rl', api_key: 'sk-soak-rl-0000000001' },
      { name: 'err', api_key: 'sk-soak-err-000000001' }],
    key_cooldown_seconds: 5, key_failure_threshold: 2, max_retries: 2 });
  await admin('POST', `${G}/providers`, { provider_id: 'soak-ant', name: 'soak-ant', protocol: 'anthropic', base_url: UPSTREAM,
    api_keys: [{ name: 'ok', api_key: 'sk-soak-ok-0000000002' }, { name: 'rl', api_key: 'sk-soak-rl-0000000002' }],
    key_cooldown_seconds: 5 });
  await admin('POST', `${G}/providers`, { provider_id: 'soak-resp', name: 'soak-resp', protocol: 'openai-responses',
    base_url: `${UPSTREAM}/v1`, api_key: 'sk-soak-ok-0000000003', websocket: true });
  await admin('POST', `${G}/providers`, { provider_id: 'soak-toggle', name: 'soak-toggle', protocol: 'openai', base_url: `${UPSTREAM}/v1`,
    api_keys: [{ name: 'a', api_key: 'sk-soak-ok-0000000004' }, { name: 'b', api_key: 'sk-soak-ok-0000000005' }] });
  for (const [alias, provider_id, upstream_model] of [['soak-chat', 'soak-pool', 'gpt-soak'], ['soak-slow', 'soak-pool', 'gpt-slow'],
    ['soak-claude', 'soak-ant', 'claude-soak'], ['soak-resp', 'soak-resp', 'gpt-soak-resp'], ['soak-toggle', 'soak-toggle', 'gpt-toggle-a']]) {
    await admin('POST', `${G}/routes`, { alias, provider_id, upstream_model });
  }
  const key = await admin('POST', `${G}/keys`, { name: 'soak' });
  return findField(key, 'plaintext');
}

function findField(value, name) {
  if (value && typeof value === 'object') {
    if (name in value) return value[name];
    for (const v of Object.values(value)) { const f = findField(v, name); if (f !== undefined) return f; }
  }
  return undefined;
}

// ---- client requests --------------------------------------------------------------------------------------------
let KEY;
const chatBody = (model, stream) => ({ model, stream, ...(stream ? { stream_options: { include_usage: true } } : {}),
  messages: [{ role: 'user', content: 'Say hello for the soak.' }] });
const anthropicBody = (model, stream) => ({ model, stream, max_tokens: 64, messages: [{ role: 'user', content: 'Say hello for the soak.' }] });
const responsesBody = (model, stream, previous) => ({ model, stream, input: 'Say hello for the soak.', ...(previous ? { previous_response_id: previous } : {}) });
let lastStoredResponse = null;
let churnAlias = null;

async function post(path, body, { anthropic = false, signal } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (anthropic) { headers['x-api-key'] = KEY; headers['anthropic-version'] = '2023-06-01'; } else headers['authorization'] = `Bearer ${KEY}`;
  return fetch(KEYWAY + path, { method: 'POST', headers, body: JSON.stringify(body), signal });
}

async function whole(res) { await res.arrayBuffer(); return res.status; }

// Each scenario returns the status to count (or a name for a deliberate hang-up).
const scenarios = [
  [14, 'chat', async () => whole(await post('/v1/chat/completions', chatBody('soak-chat', false)))],
  [14, 'chat-stream', async () => whole(await post('/v1/chat/completions', chatBody('soak-chat', true)))],
  [7, 'anthropic', async () => whole(await post('/v1/messages', anthropicBody('soak-claude', false), { anthropic: true }))],
  [7, 'anthropic-stream', async () => whole(await post('/v1/messages', anthropicBody('soak-claude', true), { anthropic: true }))],
  [5, 'anthropic-via-chat', async () => whole(await post('/v1/messages', anthropicBody('soak-chat', false), { anthropic: true }))],
  [5, 'anthropic-via-chat-stream', async () => whole(await post('/v1/messages', anthropicBody('soak-chat', true), { anthropic: true }))],
  [4, 'responses-via-chat', async () => {
    const res = await post('/v1/responses', responsesBody('soak-chat', false, Math.random() < 0.5 ? lastStoredResponse : null));
    const text = await res.text();
    if (res.status === 200) { try { lastStoredResponse = JSON.parse(text).id; } catch { /* counted by status */ } }
    return res.status;
  }],
  [4, 'responses-via-chat-stream', async () => whole(await post('/v1/responses', responsesBody('soak-chat', true)))],
  [4, 'responses', async () => whole(await post('/v1/responses', responsesBody('soak-resp', false)))],
  [4, 'responses-stream', async () => whole(await post('/v1/responses', responsesBody('soak-resp', true)))],
  [2, 'responses-read', async () => {
    if (!lastStoredResponse) return 'skipped';
    const res = await fetch(`${KEYWAY}/v1/responses/${lastStoredResponse}`, { headers: { authorization: `Bearer ${KEY}` } });
    await res.arrayBuffer();
    if (res.status === 200) stats.stored_response_reads.ok++; else stats.stored_response_reads.missing++;
    return res.status;
  }],
  [4, 'count-tokens', async () => whole(await post('/v1/messages/count_tokens', { model: 'soak-claude', messages: [{ role: 'user', content: 'Count me.' }] }, { anthropic: true }))],
  [3, 'count-tokens-estimate', async () => whole(await post('/v1/messages/count_tokens', { model: 'soak-chat', messages: [{ role: 'user', content: 'Count me, estimated.' }] }, { anthropic: true }))],
  [5, 'hangup-mid-stream', async () => {
    const controller = new AbortController();
    const res = await post('/v1/chat/completions', chatBody('soak-chat', true), { signal: controller.signal });
    if (res.status !== 200) return whole(res);
    const reader = res.body.getReader();
    await reader.read();
    controller.abort();
    return 'hung-up';
  }],
  [3, 'hangup-anthropic-stream', async () => {
    const controller = new AbortController();
    const res = await post('/v1/messages', anthropicBody('soak-chat', true), { anthropic: true, signal: controller.signal });
    if (res.status !== 200) return whole(res);
    await res.body.getReader().read();
    controller.abort();
    return 'hung-up';
  }],
  [3, 'hangup-before-answer', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    try { return whole(await post('/v1/chat/completions', chatBody('soak-slow', false), { signal: controller.signal })); }
    catch (e) { if (e.name === 'AbortError') return 'hung-up'; throw e; }
  }],
  [5, 'toggle', async () => whole(await post('/v1/chat/completions', chatBody('soak-toggle', Math.random() < 0.5)))],
  [2, 'churn-alias', async () => churnAlias ? whole(await post('/v1/chat/completions', chatBody(churnAlias, false))) : 'skipped'],
];
const totalWeight = scenarios.reduce((s, [w]) => s + w, 0);
function pick() {
  let r = Math.random() * totalWeight;
  for (const s of scenarios) { if ((r -= s[0]) < 0) return s; }
  return scenarios[0];
}

async function runOne() {
  const [, name, fn] = pick();
  stats.sent++;
  stats.in_flight++;
  (stats.by_scenario[name] ??= { sent: 0, statuses: {} }).sent++;
  try {
    const status = await fn();
    count(name, status);
    if (typeof status === 'number' && status >= 500 && name !== 'churn-alias') stats.unexpected[`${name} ${status}`] = (stats.unexpected[`${name} ${status}`] || 0) + 1;
  } catch (e) {
    stats.network_errors++;
    count(name, `error ${e.cause?.code || e.name}`);
  } finally {
    stats.in_flight--;
  }
}

// ---- a WebSocket session: 3 response.create on one socket, then a close -----------------------------------------
async function wsSession() {
  stats.ws.sessions++;
  try {
    const ws = new WebSocket(`${KEYWAY.replace('http', 'ws')}/v1/responses?model=soak-resp`, { headers: { authorization: `Bearer ${KEY}` } });
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('ws error before open')); });
    for (let i = 0; i < 3; i++) {
      const done = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('ws response timed out')), 10_000);
        ws.onmessage = (m) => {
          const event = JSON.parse(m.data);
          if (event.type === 'response.completed') { clearTimeout(timer); resolve(); }
          if (event.type === 'error') { clearTimeout(timer); reject(new Error(`ws error event ${m.data.slice(0, 200)}`)); }
        };
        ws.onclose = (e) => { clearTimeout(timer); reject(new Error(`ws closed ${e.code}`)); };
      });
      ws.send(JSON.stringify({ type: 'response.create', model: 'soak-resp', input: 'Say hello over the socket.' }));
      await done;
      stats.ws.responses++;
    }
    ws.onclose = null;
    ws.close(1000);
  } catch (e) {
    stats.ws.failures++;
    stats.ws.last_failure = String(e.message || e);
  }
}

// ---- admin churn: every minute a route edit and a new alias, a key disabled for 20 s; reads every 10 s ---------------
async function keyIdOf(providerId, name) {
  const provider = await admin('GET', `/admin/llm/providers/${providerId}`);
  const keys = findField(provider, 'keys') || findField(provider, 'api_keys');
  return keys.find((k) => k.name === name).key_id;
}

async function routeIdOf(alias) {
  const routes = findField(await admin('GET', `${G}/routes`), 'routes');
  return routes.find((r) => r.alias === alias)?.route_id;
}

async function adminChurn(minute) {
  const toggleRoute = await routeIdOf('soak-toggle');
  await admin('PATCH', `/admin/llm/routes/${toggleRoute}`, { upstream_model: minute % 2 ? 'gpt-toggle-b' : 'gpt-toggle-a' });
  const previous = churnAlias;
  const next = `soak-churn-${minute}`;
  await admin('POST', `${G}/routes`, { alias: next, provider_id: 'soak-pool', upstream_model: `gpt-churn-${minute}` });
  churnAlias = next;
  if (previous) await admin('DELETE', `/admin/llm/routes/${await routeIdOf(previous)}`);
  const keyA = await keyIdOf('soak-toggle', 'a');
  await admin('PATCH', `/admin/llm/providers/soak-toggle/keys/${keyA}`, { enabled: false });
  setTimeout(() => admin('PATCH', `/admin/llm/providers/soak-toggle/keys/${keyA}`, { enabled: true }).catch(() => {}), 20_000);
}

async function adminReads() {
  await admin('GET', '/admin/llm/logs?limit=100');
  await admin('GET', '/admin/llm/logs?limit=50&status=error');
  await admin('GET', '/admin/llm/stats');
  await admin('GET', '/admin/llm/stats/series?bucket=hour');
  await admin('GET', '/admin/llm/health');
}

function writeStats() {
  stats.elapsed_s = Math.round((Date.now() - startedMs) / 1000);
  if (STATS) fs.writeFileSync(STATS + '.tmp', JSON.stringify(stats, null, 1)), fs.renameSync(STATS + '.tmp', STATS);
}

// ---- main ---------------------------------------------------------------------------------------------------------
let startedMs = Date.now();
KEY = args.key || await configure();
if (!KEY) throw new Error('no issued key in the admin answer');
if (args['configure-only']) { console.log(KEY); process.exit(0); }
startedMs = Date.now();
const endMs = startedMs + MINUTES * 60_000;
const timers = [
  setInterval(writeStats, 5_000),
  setInterval(() => adminReads().catch(() => {}), 10_000),
  setInterval(() => wsSession(), 15_000),
];
let minute = 0;
adminChurn(minute++).catch(() => {});
timers.push(setInterval(() => adminChurn(minute++).catch(() => {}), 60_000));

// Paced: every 10 ms, the requests due since the start (RATE a second), as long as fewer than MAX_IN_FLIGHT run.
let issued = 0;
while (Date.now() < endMs) {
  const due = Math.floor(((Date.now() - startedMs) / 1000) * RATE);
  while (issued < due && stats.in_flight < MAX_IN_FLIGHT) { issued++; runOne(); }
  if (issued < due && stats.in_flight >= MAX_IN_FLIGHT) issued = due; // behind: skip instead of bursting later
  await sleep(10);
}
timers.forEach(clearInterval);
while (stats.in_flight > 0) await sleep(50);
writeStats();
console.log(JSON.stringify({ sent: stats.sent, by_status: stats.by_status, network_errors: stats.network_errors, ws: stats.ws, admin: stats.admin }));
process.exit(0);
