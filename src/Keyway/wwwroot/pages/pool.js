// A provider's upstream key pool, in the order the pool tries its keys: masked keys, their health and requests in flight;
// add, edit (rename, rotate the secret in place, models, own base URL and native endpoints, concurrency cap), reorder, enable/disable, reset
// and remove a key; reset the health of the whole provider (every key's cooldown and quarantine, and the circuit).
import { del, enc, get, patch, post, put } from '../api.js';
import { h, badge, button, confirmAction, focusButton, notice, run, showPanel, table } from '../dom.js';
import { entityForm } from '../form.js';
import { UPSTREAM_KEY_FIELDS } from '../fields.js';
import { cooldownText, cooldowns, lastFailure } from '../health.js';

/** Shows the pool of providerId in panel; reloadList re-draws the provider list; focusLabel: the button to focus after. */
export async function showPool(providerId, panel, reloadList, focusLabel) {
  const { provider } = await get(`/admin/llm/providers/${enc(providerId)}`);
  const keys = provider.api_keys;
  const base = `/admin/llm/providers/${enc(providerId)}/keys`;
  const formSlot = h('div', { class: 'form-slot' });
  /** After a change: both views re-drawn, the focus on the button labelled `label` (else on the pool). */
  const refresh = async (label) => {
    await reloadList();
    await showPool(providerId, panel, reloadList, label);
  };
  /** A button of the pool: action() returns the label of the button to focus once the pool is re-drawn, or false. */
  const act = (text, label, action, kind = 'secondary', disabled = false) =>
    button(text, (event) => run(event.currentTarget, async () => {
      const next = await action();
      if (next !== false) {
        await refresh(next);
      }
    }), kind, { 'aria-label': label, disabled });

  const openEdit = (key) => {
    const editLabel = `Edit key ${key.name}`;
    const form = entityForm({
      title: `Edit key ${key.name}`,
      fields: UPSTREAM_KEY_FIELDS,
      values: key,
      mode: 'edit',
      submitLabel: 'Save key',
      onCancel: () => {
        formSlot.replaceChildren();
        focusButton(panel, editLabel);
      },
      onSubmit: async (body) => {
        await patch(`${base}/${enc(key.key_id)}`, body);
        notice(body.api_key ? `Key ${body.name} saved, its secret replaced.` : `Key ${body.name} saved.`);
        await refresh(`Edit key ${body.name}`);
      },
    });
    formSlot.replaceChildren(form);
    form.querySelector('input').focus();
  };

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
    h('h3', { text: `Key pool of ${providerId} (${provider.routing_mode}, tried in this order)` }),
    h('div', { class: 'toolbar' },
      act('Reset health', `Reset health of ${providerId}`, async () => {
        await post(`/admin/llm/health/${enc(providerId)}/reset`);
        notice(`${providerId}: every key's cooldown and quarantine cleared, circuit closed.`);
        return `Reset health of ${providerId}`;
      })),
    formSlot,
    table([
      { label: '#', cell: (key) => String(keys.indexOf(key) + 1) },
      { label: 'Name', cell: (key) => key.name },
      { label: 'Key', cell: (key) => h('code', { text: key.api_key }) },
      { label: 'Health', cell: (key) => health(key.health) },
      { label: 'In flight', cell: (key) => inFlight(key) },
      { label: 'Last error', cell: (key) => lastFailure(key.health) },
      { label: 'Models', cell: (key) => (key.models.length ? key.models.join(', ') : 'any') },
      { label: 'Base URL', cell: (key) => (key.base_url ? h('code', { text: key.base_url }) : "the provider's") },
      { label: 'Native endpoints', cell: (key) => nativeEndpoints(key.native_endpoints) },
      { label: 'Visitors', cell: (key) => (key.allow_visitor ? 'yes' : 'no') },
      { label: 'Actions', cell: (key) => h('div', { class: 'row-actions' }, keyActions(key)) },
    ], keys, 'No keys.'),
    addForm,
    button('Close', () => panel.replaceChildren())));
  if (focusLabel) {
    focusButton(panel, focusLabel);
  }

  function keyActions(key) {
    const index = keys.indexOf(key);
    const moveLabel = (direction) => `Move key ${key.name} ${direction}`;
    const moveAction = (step) => async () => {
      await reorder(base, keys, index, step);
      // At an end the button just used is disabled: the focus goes to the other direction.
      const atEnd = index + step === 0 || index + step === keys.length - 1;
      return atEnd ? moveLabel(step < 0 ? 'down' : 'up') : moveLabel(step < 0 ? 'up' : 'down');
    };
    return [
      button('Edit', () => openEdit(key), 'secondary', { 'aria-label': `Edit key ${key.name}` }),
      act('Up', moveLabel('up'), moveAction(-1), 'secondary', index === 0),
      act('Down', moveLabel('down'), moveAction(1), 'secondary', index === keys.length - 1),
      act(key.enabled ? 'Disable' : 'Enable', `${key.enabled ? 'Disable' : 'Enable'} key ${key.name}`, async () => {
        await patch(`${base}/${enc(key.key_id)}`, { enabled: !key.enabled });
        notice(`Key ${key.name} ${key.enabled ? 'disabled' : 'enabled'}.`);
        return `${key.enabled ? 'Enable' : 'Disable'} key ${key.name}`;
      }),
      act('Reset', `Reset key ${key.name}`, async () => {
        await post(`/admin/llm/health/${enc(providerId)}/reset?key_id=${enc(key.key_id)}`);
        notice(`Key ${key.name}: cooldown and quarantine cleared.`);
        return `Reset key ${key.name}`;
      }),
      act('Remove', `Remove key ${key.name}`, async () => {
        if (!(await confirmAction(`Remove key "${key.name}" from ${providerId}?`, 'Remove'))) {
          return false;
        }
        await del(`${base}/${enc(key.key_id)}`);
        notice(`Key ${key.name} removed.`);
        return undefined;
      }, 'danger'),
    ];
  }
}

/**
 * Swaps the key at index with its neighbour (step -1 or 1) by sending the whole pool's new order at once: the server
 * numbers it 0, 1, 2… in one transaction, so a failure or another admin's move never leaves the pool half reordered.
 */
async function reorder(base, keys, index, step) {
  const order = [...keys];
  [order[index], order[index + step]] = [order[index + step], order[index]];
  await put(`${base}/order`, { key_ids: order.map((key) => key.key_id) });
}

/**
 * Requests in flight on this instance, against the key's cap when it has one: "2 / 4"; the cap counts the other
 * instances' too, shown when there are any: "2 + 1 on other instances / 4".
 */
function inFlight(key) {
  const { in_flight: here, in_flight_other_instances: others } = key.health;
  if (!key.max_concurrency) {
    return String(here);
  }
  return others ? `${here} + ${others} on other instances / ${key.max_concurrency}` : `${here} / ${key.max_concurrency}`;
}

function health(state) {
  switch (state.state) {
    case 'cooling':
      return h('span', {}, badge('cooling', 'warn'), ` ${cooldowns(state).map(cooldownText).join(', ')}`);
    case 'quarantined':
      return h('span', {}, badge('quarantined', 'bad'), ` ${state.quarantine_reason ?? ''}`);
    case 'disabled':
      return badge('disabled', 'off');
    default:
      return badge('ok', 'ok');
  }
}

/** A key's own native endpoints, one "protocol URL" a line; "—" when it has none. */
function nativeEndpoints(endpoints) {
  const entries = Object.entries(endpoints ?? {});
  return entries.length
    ? h('span', {}, ...entries.map(([protocol, url]) => h('div', {}, `${protocol} `, h('code', { text: url }))))
    : '—';
}
