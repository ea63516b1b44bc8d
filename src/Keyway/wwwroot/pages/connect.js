// Connect a client: ready-to-paste settings for Claude Code, Codex, the OpenAI and Anthropic SDKs and curl, built from
// the public base URL and the chosen key and alias.
import { enc, get } from '../api.js';
import { h, button, copyButton, run } from '../dom.js';
import { keyState } from './keys.js';

export async function render(container, ctx) {
  const group = enc(ctx.group);
  const [{ config }, { keys }, { routes }, { unified }] = await Promise.all([
    get('/admin/config'),
    get(`/admin/llm/groups/${group}/keys`),
    get(`/admin/llm/groups/${group}/routes`),
    get(`/admin/llm/groups/${group}/unified`),
  ]);
  const base = config.app_base_url;
  const keyPick = h('select', { id: 'connect-key' }, keys.map((key) => choice(key.key_id, key.name, keyState(key))));
  // The unified model first, so it is the default, as `keyway connect` chooses it: clients that pin it follow the
  // route the operator points it at without a change on their side. While that route is disabled the gateway refuses
  // the unified name too, so it is marked and not choosable, as the route is.
  const unifiedRoute = unified && routes.find((route) => route.route_id === unified.route_id);
  const aliasPick = h('select', { id: 'connect-alias' },
    unified && choice(unified.alias, `${unified.alias} (unified → ${unified.route_alias})`, unifiedRoute?.enabled ? 'enabled' : 'disabled'),
    routes.map((route) => choice(route.alias, route.alias, route.enabled ? 'enabled' : 'disabled')));
  const snippets = h('div', { class: 'snippets' });
  let plaintext = null;
  const draw = () => {
    // The listed prefix already ends in "...": one ellipsis is enough.
    const prefix = keys.find((k) => k.key_id === keyPick.value)?.key_prefix ?? 'db_sk_';
    const key = plaintext ?? `${prefix.replace(/\.+$/, '')}…`;
    snippets.replaceChildren(...SNIPPETS.map(({ title, note, text }) => {
      const code = text(base, key, aliasPick.value || 'your-alias');
      return h('section', { class: 'panel snippet' }, h('h2', { text: title }), h('p', { text: note }),
        h('pre', {}, h('code', { text: code })), copyButton(code, `Copy ${title}`));
    }));
  };
  const reveal = button('Insert the full key', (event) => run(event.currentTarget, async () => {
    plaintext = (await get(`/admin/llm/keys/${enc(keyPick.value)}/plaintext`)).plaintext;
    draw();
  }), 'secondary');
  keyPick.addEventListener('change', () => { plaintext = null; draw(); });
  aliasPick.addEventListener('change', draw);
  container.append(
    h('p', { text: `Base URL: ${base} (KEYWAY_PUBLIC_BASE_URL sets it).` }),
    h('div', { class: 'toolbar' },
      h('label', { for: 'connect-key', text: 'Key ' }), keyPick,
      h('label', { for: 'connect-alias', text: 'Alias ' }), aliasPick,
      keys.some((key) => keyState(key) === 'enabled') ? reveal : h('span', { text: 'Create or enable a key first (Keys page).' })),
    snippets);
  draw();
}

/**
 * An option for a key or route. One the gateway would refuse stays listed, marked with why and not choosable: an
 * operator looking for it learns it needs enabling (or a new expiry) instead of pasting settings that get a 401 or 404.
 * The browser selects the first choosable option, so the default is one that works.
 */
function choice(value, name, state) {
  const usable = state === 'enabled';
  return h('option', { value, text: usable ? name : `${name} (${state})`, disabled: !usable });
}

const SNIPPETS = [
  {
    title: 'Claude Code',
    note: 'Project-level .claude/settings.local.json (keep it out of git: it holds the key).',
    text: (base, key, alias) => JSON.stringify({
      env: {
        ANTHROPIC_BASE_URL: base,
        ANTHROPIC_AUTH_TOKEN: key,
        ANTHROPIC_MODEL: alias,
        ANTHROPIC_DEFAULT_HAIKU_MODEL: alias,
        ANTHROPIC_DEFAULT_SONNET_MODEL: alias,
        ANTHROPIC_DEFAULT_OPUS_MODEL: alias,
      },
    }, null, 2),
  },
  {
    title: 'Codex',
    note: '~/.codex/config.toml, then run KEYWAY_API_KEY=<key> codex.',
    text: (base, key, alias) => `model = "${alias}"\nmodel_provider = "keyway"\n\n[model_providers.keyway]\nname = "Keyway"\n` +
      `base_url = "${base}/v1"\nenv_key = "KEYWAY_API_KEY"\nwire_api = "responses"\n\n# export KEYWAY_API_KEY=${key}`,
  },
  {
    title: 'OpenAI SDK',
    note: 'Python; the Node SDK takes the same baseURL and apiKey.',
    text: (base, key, alias) => `from openai import OpenAI\n\nclient = OpenAI(base_url="${base}/v1", api_key="${key}")\n` +
      `reply = client.chat.completions.create(model="${alias}", messages=[{"role": "user", "content": "Hello!"}])\nprint(reply.choices[0].message.content)`,
  },
  {
    title: 'Anthropic SDK',
    note: 'Python; the base URL has no /v1.',
    text: (base, key, alias) => `import anthropic\n\nclient = anthropic.Anthropic(base_url="${base}", api_key="${key}")\n` +
      `reply = client.messages.create(model="${alias}", max_tokens=256, messages=[{"role": "user", "content": "Hello!"}])\nprint(reply.content[0].text)`,
  },
  {
    title: 'curl',
    note: 'OpenAI Chat Completions; /v1/messages takes the Anthropic shape.',
    text: (base, key, alias) => `curl ${base}/v1/chat/completions \\\n  -H "Authorization: Bearer ${key}" \\\n  -H 'content-type: application/json' \\\n` +
      `  -d '{"model":"${alias}","messages":[{"role":"user","content":"Hello!"}]}'`,
  },
];
