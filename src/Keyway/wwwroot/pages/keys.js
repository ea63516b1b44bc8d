// Issued keys of the group: create (plaintext shown once, with a copy button), reveal later, enable/disable, expiry,
// delete, and each key's usage over the last 30 days.
import { del, enc, get, patch, post } from '../api.js';
import { h, badge, button, copyButton, num, run, showPanel, when } from '../dom.js';
import { crudPage, enableToggle } from '../crud.js';
import { ISSUED_KEY_FIELDS } from '../fields.js';

export async function render(container, ctx) {
  const group = enc(ctx.group);
  let usage = new Map();
  const page = crudPage(container, {
    noun: 'key',
    fields: ISSUED_KEY_FIELDS,
    name: (key) => key.name,
    load: async () => {
      const [{ keys }, series] = await Promise.all([
        get(`/admin/llm/groups/${group}/keys`),
        get(`/admin/llm/stats/series?bucket=day&group_id=${group}`),
      ]);
      usage = new Map(series.by_key.map((row) => [row.api_key_id, row]));
      return keys;
    },
    create: (body) => post(`/admin/llm/groups/${group}/keys`, body),
    update: (key, body) => patch(`/admin/llm/keys/${enc(key.key_id)}`, body),
    remove: (key) => del(`/admin/llm/keys/${enc(key.key_id)}`),
    created: (result) => plaintextBox(result.key.name, result.plaintext, 'New key — copy it now: it is shown this once here (admins can reveal it later).'),
    columns: [
      { label: 'Name', cell: (key) => key.name },
      { label: 'Prefix', cell: (key) => h('code', { text: key.key_prefix }) },
      { label: 'Owner', cell: (key) => key.owner_user_id || '—' },
      { label: 'State', cell: (key) => state(key) },
      { label: 'Expires', cell: (key) => when(key.expires_at) },
      { label: 'Web search', cell: (key) => key.web_search },
      { label: 'Policy', cell: (key) => policy(key) },
      { label: 'Last used', cell: (key) => when(key.last_used_at) },
      { label: 'Requests (30 d)', cell: (key) => num(usage.get(key.key_id)?.requests ?? 0) },
      { label: 'Errors', cell: (key) => num(usage.get(key.key_id)?.errors ?? 0) },
      { label: 'Tokens in/out', cell: (key) => `${num(usage.get(key.key_id)?.input_tokens ?? 0)} / ${num(usage.get(key.key_id)?.output_tokens ?? 0)}` },
    ],
    actions: (key, reload, panel) => [
      enableToggle(`key ${key.name}`, key.enabled, `/admin/llm/keys/${enc(key.key_id)}`, reload),
      button('Reveal', (event) => run(event.currentTarget, async () => {
        const { plaintext } = await get(`/admin/llm/keys/${enc(key.key_id)}/plaintext`);
        showPanel(panel, plaintextBox(key.name, plaintext, 'The key in full (admin only).'));
      }), 'secondary', { 'aria-label': `Reveal ${key.name}` }),
    ],
  });
  await page.reload();
}

/** The key's limits in one line: visitor, allowed aliases, rates and budgets ("—" when it has none). */
function policy(key) {
  const parts = [];
  if (key.visitor) {
    parts.push('visitor');
  }
  if (key.allowed_aliases.length) {
    parts.push(`aliases ${key.allowed_aliases.join(', ')}`);
  }
  for (const [field, label] of [['rpm', 'rpm'], ['tpm', 'tpm'], ['max_concurrency', 'concurrent'], ['daily_token_budget', 'tokens/day'], ['monthly_token_budget', 'tokens/month']]) {
    if (key[field] != null) {
      parts.push(`${num(key[field])} ${label}`);
    }
  }
  return parts.length ? parts.join(' · ') : '—';
}

const STATE_BADGES = { enabled: 'ok', disabled: 'off', expired: 'bad' };

function state(key) {
  const name = keyState(key);
  return badge(name, STATE_BADGES[name]);
}

/**
 * Whether the gateway takes the key now: "enabled", "disabled" or "expired". The API lists enabled and expires_at apart,
 * and a key past its expiry still reads as enabled; the gateway refuses it from expires_at itself.
 */
export function keyState(key) {
  if (!key.enabled) {
    return 'disabled';
  }
  return key.expires_at && new Date(key.expires_at) <= new Date() ? 'expired' : 'enabled';
}

function plaintextBox(name, plaintext, note) {
  return h('div', { class: 'once', role: 'region', 'aria-label': `Key ${name}` },
    h('h3', { text: `Key ${name}` }),
    h('p', { text: note }),
    h('div', { class: 'secret' }, h('code', { class: 'plaintext', text: plaintext }), copyButton(plaintext)));
}
