// Groups: list with counts, create, edit, enable/disable, delete, deep copy (new keys shown once).
import { del, enc, patch, post } from '../api.js';
import { h, badge, button, copyButton, notice, showPanel, table } from '../dom.js';
import { crudPage, enableToggle } from '../crud.js';
import { entityForm } from '../form.js';
import { GROUP_COPY_FIELDS, GROUP_FIELDS } from '../fields.js';

export async function render(container, ctx) {
  const page = crudPage(container, {
    noun: 'group',
    fields: GROUP_FIELDS,
    name: (group) => group.group_id,
    load: async () => {
      await ctx.reloadGroups();
      return ctx.groups;
    },
    create: (body) => post('/admin/llm/groups', body),
    update: (group, body) => patch(`/admin/llm/groups/${enc(group.group_id)}`, body),
    remove: (group) => del(`/admin/llm/groups/${enc(group.group_id)}`),
    columns: [
      { label: 'Id', cell: (group) => group.group_id },
      { label: 'Name', cell: (group) => group.name },
      { label: 'State', cell: (group) => (group.enabled ? badge('enabled', 'ok') : badge('disabled', 'off')) },
      { label: 'Providers', cell: (group) => String(group.provider_count) },
      { label: 'Routes', cell: (group) => String(group.route_count) },
      { label: 'Keys', cell: (group) => String(group.key_count) },
      { label: 'Tools', cell: (group) => String(group.tool_count) },
      { label: 'Note', cell: (group) => group.note },
    ],
    actions: (group, reload, panel) => [
      enableToggle(`group ${group.group_id}`, group.enabled, `/admin/llm/groups/${enc(group.group_id)}`, reload),
      button('Copy', () => openCopy(group, reload, panel), 'secondary', { 'aria-label': `Copy ${group.group_id}` }),
    ],
  });
  await page.reload();
}

function openCopy(group, reload, panel) {
  const form = entityForm({
    title: `Copy group ${group.group_id} (providers, routes, fallbacks, tools and new keys)`,
    fields: GROUP_COPY_FIELDS,
    values: { new_name: `${group.name} copy` },
    submitLabel: 'Copy',
    onCancel: () => panel.replaceChildren(),
    onSubmit: async (body) => {
      const result = await post(`/admin/llm/groups/${enc(group.group_id)}/copy`, body);
      notice(`Copied to ${result.group.group_id}.`);
      showPanel(panel, copiedKeys(result.issued_keys));
      await reload();
    },
  });
  panel.replaceChildren(form);
  form.querySelector('input').focus();
}

function copiedKeys(keys) {
  return h('div', { class: 'once' },
    h('h3', { text: 'New keys of the copy — shown this once' }),
    table([
      { label: 'Name', cell: (key) => key.name },
      { label: 'Key', cell: (key) => h('code', { text: key.plaintext }) },
      { label: '', cell: (key) => copyButton(key.plaintext, 'Copy', `Copy key ${key.name}`) },
    ], keys, 'The group had no keys.'));
}

