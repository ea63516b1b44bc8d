// Providers of the group: create/edit/delete, a Test call, and each provider's upstream key pool (pool.js).
import { del, enc, get, patch, post } from '../api.js';
import { h, badge, button, notice, run } from '../dom.js';
import { crudPage } from '../crud.js';
import { PROVIDER_FIELDS } from '../fields.js';
import { cooldowns, usable } from '../health.js';
import { showPool } from './pool.js';

export async function render(container, ctx) {
  const page = crudPage(container, {
    noun: 'provider',
    fields: PROVIDER_FIELDS,
    name: (provider) => provider.provider_id,
    load: async () => (await get(`/admin/llm/groups/${enc(ctx.group)}/providers`)).providers,
    create: (body) => post(`/admin/llm/groups/${enc(ctx.group)}/providers`, body),
    update: (provider, body) => patch(`/admin/llm/providers/${enc(provider.provider_id)}`, body),
    remove: (provider) => del(`/admin/llm/providers/${enc(provider.provider_id)}`),
    columns: [
      { label: 'Id', cell: (provider) => provider.provider_id },
      { label: 'Name', cell: (provider) => provider.name },
      { label: 'Protocol', cell: (provider) => (provider.websocket ? `${provider.protocol} (WebSocket)` : provider.protocol) },
      { label: 'Base URL', cell: (provider) => h('code', { text: provider.base_url }) },
      { label: 'Timeout', cell: (provider) => `${provider.timeout_seconds} s` },
      { label: 'Routing', cell: (provider) => provider.routing_mode },
      { label: 'Keys', cell: (provider) => keySummary(provider.api_keys) },
      { label: 'State', cell: (provider) => (provider.enabled ? badge('enabled', 'ok') : badge('disabled', 'off')) },
    ],
    actions: (provider, reload, panel) => [
      button('Test', (event) => run(event.currentTarget, () => testProvider(provider)), 'secondary', { 'aria-label': `Test ${provider.provider_id}` }),
      button('Keys', (event) => run(event.currentTarget, () => showPool(provider.provider_id, panel, reload)), 'secondary',
        { 'aria-label': `Keys of ${provider.provider_id}` }),
    ],
  });
  await page.reload();
}

/** "2/3 usable", and how many of the usable keys are cooling for some models only (they serve the others). */
function keySummary(keys) {
  const serving = keys.filter((key) => usable(key.health));
  const partly = serving.filter((key) => cooldowns(key.health).length > 0).length;
  return `${serving.length}/${keys.length} usable${partly ? ` (${partly} cooling for some models)` : ''}`;
}

async function testProvider(provider) {
  const { test } = await post('/admin/llm/test', { provider_id: provider.provider_id });
  notice(`${provider.provider_id}: ${test.ok ? 'OK' : 'failed'} — HTTP ${test.status}, ${test.latency_ms} ms, ${test.upstream_model}: ${test.message}`,
    test.ok ? 'ok' : 'error');
}
