// Routes of the group: alias → provider + upstream model, a Test call per route, fallbacks (fallbacks.js), and the
// unified alias.
import { del, enc, get, patch, post, put } from '../api.js';
import { h, badge, button, confirmAction, notice, reportError, run, section } from '../dom.js';
import { crudPage } from '../crud.js';
import { entityForm } from '../form.js';
import { routeFields, unifiedFields } from '../fields.js';
import { showFallbacks } from './fallbacks.js';

export async function render(container, ctx) {
  const group = enc(ctx.group);
  const providerIds = (await get(`/admin/llm/groups/${group}/providers`)).providers.map((provider) => provider.provider_id);
  const unifiedBox = h('div');
  const page = crudPage(container, {
    noun: 'route',
    fields: routeFields(providerIds),
    name: (route) => route.alias,
    load: async () => {
      const { routes } = await get(`/admin/llm/groups/${group}/routes`);
      await showUnified(ctx.group, routes, unifiedBox);
      return routes;
    },
    create: (body) => post(`/admin/llm/groups/${group}/routes`, body),
    update: (route, body) => patch(`/admin/llm/routes/${enc(route.route_id)}`, body),
    remove: (route) => del(`/admin/llm/routes/${enc(route.route_id)}`),
    columns: [
      { label: 'Alias', cell: (route) => h('code', { text: route.alias }) },
      { label: 'Provider', cell: (route) => route.provider_id },
      { label: 'Upstream model', cell: (route) => route.upstream_model },
      { label: 'Upstream path', cell: (route) => route.upstream_path || '—' },
      { label: 'Allowed paths', cell: (route) => (route.allowed_paths.length === 0 ? 'all' : route.allowed_paths.join(' ')) },
      { label: 'Defaults', cell: defaults },
      { label: 'Web search', cell: (route) => route.web_search },
      { label: 'State', cell: (route) => (route.enabled ? badge('enabled', 'ok') : badge('disabled', 'off')) },
    ],
    actions: (route, reload, panel) => [
      button('Test', (event) => run(event.currentTarget, () => testRoute(ctx.group, route)), 'secondary', { 'aria-label': `Test ${route.alias}` }),
      button('Fallbacks', (event) => run(event.currentTarget, () => showFallbacks(route, providerIds, panel)), 'secondary',
        { 'aria-label': `Fallbacks of ${route.alias}` }),
    ],
  });
  container.append(unifiedBox);
  await page.reload();
}

/** The defaults the route fills into requests that leave them out, e.g. "effort high · cap 4096 tokens · temperature 0.7". */
function defaults(route) {
  const parts = [
    route.default_reasoning_effort && `effort ${route.default_reasoning_effort}`,
    route.max_tokens_cap !== null && `cap ${route.max_tokens_cap} tokens`,
    route.default_temperature !== null && `temperature ${route.default_temperature}`,
  ].filter(Boolean);
  return parts.length === 0 ? '—' : parts.join(' · ');
}

async function testRoute(groupId, route) {
  const { test } = await post('/admin/llm/test', { alias: route.alias, group_id: groupId });
  notice(`${route.alias}: ${test.ok ? 'OK' : 'failed'} — HTTP ${test.status}, ${test.latency_ms} ms: ${test.message}`, test.ok ? 'ok' : 'error');
}

/** The pinned key after the route; a pin the pool no longer honours (no enabled key of that name) says so. */
function pin({ key_name: key, key_pinned: pinned }) {
  if (!key) {
    return '';
  }
  return pinned ? ` [${key}]` : ` [${key}: pin ignored, no enabled key of that name in the pool, the pool chooses]`;
}

/** The unified alias: one fixed model name that follows the route (and optionally key) chosen here. */
async function showUnified(groupId, routes, box) {
  const path = `/admin/llm/groups/${enc(groupId)}/unified`;
  const [{ unified }, { providers }] = await Promise.all([get(path), get(`/admin/llm/groups/${enc(groupId)}/providers`)]);
  const refresh = () => showUnified(groupId, routes, box);
  const form = routes.length === 0 ? null : entityForm({
    fields: unifiedFields(routes.map((route) => route.alias)),
    values: unified ?? {},
    submitLabel: 'Point the unified alias',
    onSubmit: async (body) => {
      await put(path, { key_name: null, ...body });
      notice('Unified alias updated.');
      await refresh();
    },
  });
  if (form) {
    await pinPicker(form, routes, providers, unified);
  }
  box.replaceChildren(section('Unified alias',
    h('p', {
      class: 'unified-current',
      text: unified ? `${unified.alias} → ${unified.route_alias}${pin(unified)}` : 'Not set: clients can only call the aliases above.',
    }),
    form,
    unified ? button('Clear unified alias', async (event) => {
      const trigger = event.currentTarget;
      if (!(await confirmAction(`Clear the unified alias "${unified.alias}"? Clients calling it are refused until it is set again.`, 'Clear'))) {
        return;
      }
      await run(trigger, async () => {
        await del(path);
        notice(`Unified alias ${unified.alias} cleared.`);
        await refresh();
        box.querySelector('button[type=submit]')?.focus();
      });
    }, 'danger') : null));
}

/**
 * Fills the form's pinned-key select with the pool of the route chosen above it — its provider's keys, then its
 * fallbacks' — each by name, masked secret and state, and again whenever another route is chosen. The pin is by name,
 * so that is the value; a pinned name no longer in the pool stays listed, so saving the form does not drop it unseen.
 */
async function pinPicker(form, routes, providers, unified) {
  const routeSelect = form.elements.namedItem('route_alias');
  const keySelect = form.elements.namedItem('key_name');
  let wanted = unified?.key_name ?? '';
  let filling = 0;
  const fill = async () => {
    const turn = ++filling;
    const route = routes.find((candidate) => candidate.alias === routeSelect.value);
    const { route_providers: targets } = await get(`/admin/llm/routes/${enc(route.route_id)}/providers`);
    // A route chosen again meanwhile has its own fill under way: this one's answer is stale.
    if (turn !== filling) {
      return;
    }
    const providerIds = [...new Set([route.provider_id, ...targets.map((target) => target.provider_id)])];
    const keys = providerIds.flatMap((id) => (providers.find((provider) => provider.provider_id === id)?.api_keys ?? [])
      .map((key) => ({ ...key, provider: id })));
    const label = (key) => `${providerIds.length > 1 ? `${key.provider}: ` : ''}${key.name} · ${key.api_key} · ${key.health.state}`;
    const stale = wanted && route.route_id === unified?.route_id && !keys.some((key) => key.name === wanted);
    const options = [['', 'any key'], ...keys.map((key) => [key.name, label(key)]), ...(stale ? [[wanted, `${wanted} · not in the pool`]] : [])];
    keySelect.replaceChildren(...options.map(([value, text]) => h('option', { value, text })));
    keySelect.value = [...keySelect.options].some((option) => option.value === wanted) ? wanted : '';
  };
  keySelect.addEventListener('change', () => { wanted = keySelect.value; });
  routeSelect.addEventListener('change', () => fill().catch(reportError));
  await fill();
}
