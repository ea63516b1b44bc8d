// A route's fallbacks: the providers tried after the route's own, lower priority first; add, edit (upstream model,
// priority), enable/disable and remove.
import { del, enc, get, patch, post } from '../api.js';
import { h, badge, button, confirmAction, focusButton, notice, run, showPanel, table } from '../dom.js';
import { enableToggle } from '../crud.js';
import { entityForm } from '../form.js';
import { fallbackFields } from '../fields.js';

/** Shows the fallbacks of route in panel; focusLabel: the button to focus once they are drawn. */
export async function showFallbacks(route, providerIds, panel, focusLabel) {
  const base = `/admin/llm/routes/${enc(route.route_id)}/providers`;
  const { route_providers: targets } = await get(base);
  const refresh = (label) => showFallbacks(route, providerIds, panel, label);
  const formSlot = h('div', { class: 'form-slot' });
  const editLabel = (target) => `Edit fallback ${target.provider_id}`;

  const openEdit = (target) => {
    const form = entityForm({
      title: `Edit fallback ${target.provider_id}`,
      fields: fallbackFields(providerIds),
      values: target,
      mode: 'edit',
      onCancel: () => {
        formSlot.replaceChildren();
        focusButton(panel, editLabel(target));
      },
      onSubmit: async (body) => {
        await patch(`/admin/llm/route-providers/${enc(target.rp_id)}`, body);
        notice(`Fallback ${target.provider_id} saved.`);
        await refresh(editLabel(target));
      },
    });
    formSlot.replaceChildren(form);
    form.querySelector('input').focus();
  };

  showPanel(panel, h('section', { class: 'pool', 'aria-label': `Fallbacks of ${route.alias}` },
    h('h3', { text: `Fallbacks of ${route.alias} (tried after ${route.provider_id}, lower priority first)` }),
    formSlot,
    table([
      { label: 'Provider', cell: (target) => target.provider_id },
      { label: 'Upstream model', cell: (target) => target.upstream_model },
      { label: 'Priority', cell: (target) => String(target.priority) },
      { label: 'State', cell: (target) => (target.enabled ? badge('enabled', 'ok') : badge('disabled', 'off')) },
      {
        label: 'Actions',
        cell: (target) => h('div', { class: 'row-actions' },
          button('Edit', () => openEdit(target), 'secondary', { 'aria-label': editLabel(target) }),
          enableToggle(`fallback ${target.provider_id}`, target.enabled, `/admin/llm/route-providers/${enc(target.rp_id)}`, refresh),
          button('Remove', (event) => run(event.currentTarget, async () => {
            if (await confirmAction(`Remove fallback ${target.provider_id} from ${route.alias}?`, 'Remove')) {
              await del(`/admin/llm/route-providers/${enc(target.rp_id)}`);
              notice(`Fallback ${target.provider_id} removed.`);
              await refresh();
            }
          }), 'danger', { 'aria-label': `Remove fallback ${target.provider_id}` })),
      },
    ], targets, 'No fallbacks.'),
    entityForm({
      title: 'Add a fallback',
      fields: fallbackFields(providerIds),
      submitLabel: 'Add fallback',
      onSubmit: async (body) => {
        await post(base, body);
        notice(`Fallback ${body.provider_id} added.`);
        await refresh();
      },
    }),
    button('Close', () => panel.replaceChildren())));
  if (focusLabel) {
    focusButton(panel, focusLabel);
  }
}
