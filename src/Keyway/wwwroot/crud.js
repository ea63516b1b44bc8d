// The list-plus-form page every entity shares: a "New" button, one form panel (create or edit), a table whose last
// column holds Edit, the page's own actions and Delete (after a confirmation).
import { patch } from './api.js';
import { h, button, confirmAction, focusButton, notice, run, showPanel, table } from './dom.js';
import { entityForm } from './form.js';

/**
 * spec: noun, fields (or a function of the rows), load() → rows, create(body), update(row, body), remove(row), name(row),
 * columns, actions(row, reload) → extra buttons, created(result) → a node shown after a create (e.g. a plaintext key).
 * Returns {reload, panel}: panel is where a page may show its own detail views.
 */
export function crudPage(container, spec) {
  const panel = h('div', { class: 'form-slot' });
  const list = h('div', { class: 'list' });
  let rows = [];
  const fieldsFor = () => (typeof spec.fields === 'function' ? spec.fields(rows) : spec.fields);
  const close = () => panel.replaceChildren();
  const newButton = button(`New ${spec.noun}`, () => openForm('create'), 'primary');

  /** Once a form closes, the focus goes back to the button that opened it (the row's Edit re-drawn, or New). */
  function focusOpener(opener) {
    focusButton(list, opener?.getAttribute('aria-label'), newButton);
  }

  function openForm(mode, row) {
    const opener = document.activeElement;
    const form = entityForm({
      fields: fieldsFor(),
      values: row ?? {},
      mode,
      title: mode === 'create' ? `New ${spec.noun}` : `Edit ${spec.noun} ${spec.name(row)}`,
      submitLabel: mode === 'create' ? 'Create' : 'Save',
      onCancel: () => {
        close();
        focusOpener(opener);
      },
      onSubmit: async (body) => {
        const result = mode === 'create' ? await spec.create(body) : await spec.update(row, body);
        close();
        notice(mode === 'create' ? `Created ${spec.noun}.` : `Saved ${spec.noun}.`);
        const shown = mode === 'create' && spec.created ? spec.created(result) : null;
        if (shown) {
          showPanel(panel, shown);
        }
        await reload();
        if (!shown) {
          focusOpener(opener);
        }
      },
    });
    panel.replaceChildren(form);
    form.querySelector('input, select, textarea')?.focus();
  }

  async function remove(row, trigger) {
    if (!(await confirmAction(`Delete ${spec.noun} "${spec.name(row)}"? This cannot be undone.`))) {
      return;
    }
    await run(trigger, async () => {
      await spec.remove(row);
      notice(`Deleted ${spec.noun} ${spec.name(row)}.`);
      close();
      await reload();
      newButton.focus();
    });
  }

  async function reload() {
    rows = await spec.load();
    const actions = {
      label: 'Actions',
      cell: (row) => h('div', { class: 'row-actions' },
        button('Edit', () => openForm('edit', row), 'secondary', { 'aria-label': `Edit ${spec.name(row)}` }),
        spec.actions ? spec.actions(row, reload, panel) : null,
        button('Delete', (event) => remove(row, event.currentTarget), 'danger', { 'aria-label': `Delete ${spec.name(row)}` })),
    };
    list.replaceChildren(table([...spec.columns, actions], rows, `No ${spec.noun}s yet.`));
  }

  container.append(
    h('div', { class: 'toolbar' }, newButton),
    panel,
    list);
  return { reload, panel };
}

/**
 * Enable/Disable for a row with an `enabled` flag: PATCHes the flip to path, says so, reloads, and puts the focus on the
 * re-drawn row's toggle (now saying the opposite), so a keyboard user can flip it back at once.
 */
export function enableToggle(what, enabled, path, reload) {
  const verb = enabled ? 'Disable' : 'Enable';
  return button(verb, (event) => run(event.currentTarget, async () => {
    await patch(path, { enabled: !enabled });
    notice(`${what} ${enabled ? 'disabled' : 'enabled'}.`);
    await reload();
    focusButton(document, `${enabled ? 'Enable' : 'Disable'} ${what}`);
  }), 'secondary', { 'aria-label': `${verb} ${what}` });
}
