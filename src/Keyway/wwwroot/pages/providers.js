// Providers of the group: create/edit/delete, a Test call, and each provider's upstream key pool with live health.
import { del, enc, get, patch, post } from '../api.js';
import { h, badge, button, confirmAction, notice, run, showPanel, table, when } from '../dom.js';
import { crudPage } from '../crud.js';
import { entityForm } from '../form.js';
import { PROVIDER_FIELDS, UPSTREAM_KEY_FIELDS } from '../fields.js';

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

function keySummary(keys) {
  const usable = keys.filter((key) => key.health.state === 'ok').length;
  return `${usable}/${keys.length} usable`;
}

async function testProvider(provider) {
  const { test } = await post('/admin/llm/test', { provider_id: provider.provider_id });
  notice(`${provider.provider_id}: ${test.ok ? 'OK' : 'failed'} — HTTP ${test.status}, ${test.latency_ms} ms, ${test.upstream_model}: ${test.message}`,
    test.ok ? 'ok' : 'error');
}

/** The key pool panel: masked keys, health, and add / enable / disable / reset / remove. */
async function showPool(providerId, panel, reloadList) {
  const { provider } = await get(`/admin/llm/providers/${enc(providerId)}`);
  const base = `/admin/llm/providers/${enc(providerId)}/keys`;
  const refresh = async () => {
    await showPool(providerId, panel, reloadList);
    await reloadList();
  };
  const act = (label, key, action, kind = 'secondary') =>
    button(label, (event) => run(event.currentTarget, async () => {
      if (await action()) {
        await refresh();
      }
    }), kind, { 'aria-label': `${label} key ${key.name}` });
  const addForm = entityForm({
    title: 'Add an upstream key',
    fields: UPSTREAM_KEY_FIELDS,
    submitLabel: 'Add key',
    onSubmit: async (body) => {
      await post(base, body);
      notice(`Key ${body.name} added to ${providerId}.`);
      await refresh();
    },
  });
  showPanel(panel, h('section', { class: 'pool', 'aria-label': `Key pool of ${providerId}` },
    h('h3', { text: `Key pool of ${providerId} (${provider.routing_mode})` }),
    table([
      { label: 'Name', cell: (key) => key.name },
      { label: 'Key', cell: (key) => h('code', { text: key.api_key }) },
      { label: 'Health', cell: (key) => health(key.health) },
      { label: 'Last error', cell: (key) => (key.health.last_status ? `${key.health.last_status} ${key.health.last_error ?? ''}` : '—') },
      { label: 'Models', cell: (key) => (key.models.length ? key.models.join(', ') : 'any') },
      { label: 'Base URL', cell: (key) => (key.base_url ? h('code', { text: key.base_url }) : "the provider's") },
      { label: 'Visitors', cell: (key) => (key.allow_visitor ? 'yes' : 'no') },
      {
        label: 'Actions',
        cell: (key) => h('div', { class: 'row-actions' },
          act(key.enabled ? 'Disable' : 'Enable', key, async () => {
            await patch(`${base}/${enc(key.key_id)}`, { enabled: !key.enabled });
            return true;
          }),
          act('Reset', key, async () => {
            await post(`/admin/llm/health/${enc(providerId)}/reset?key_id=${enc(key.key_id)}`);
            notice(`Key ${key.name}: cooldown and quarantine cleared.`);
            return true;
          }),
          act('Remove', key, async () => {
            if (!(await confirmAction(`Remove key "${key.name}" from ${providerId}?`, 'Remove'))) {
              return false;
            }
            await del(`${base}/${enc(key.key_id)}`);
            notice(`Key ${key.name} removed.`);
            return true;
          }, 'danger')),
      },
    ], provider.api_keys, 'No keys.'),
    addForm,
    button('Close', () => panel.replaceChildren())));
}

function health(state) {
  switch (state.state) {
    case 'cooling':
      return h('span', {}, badge('cooling', 'warn'), ` until ${when(state.cooldown_until ?? Object.values(state.model_cooldowns)[0])}`);
    case 'quarantined':
      return h('span', {}, badge('quarantined', 'bad'), ` ${state.quarantine_reason ?? ''}`);
    case 'disabled':
      return badge('disabled', 'off');
    default:
      return badge('ok', 'ok');
  }
}
