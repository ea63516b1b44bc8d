// Tool providers (web search) of the group: create, edit, delete, one real test search, and how many searches each ran.
import { del, enc, get, patch, post } from '../api.js';
import { badge, button, notice, num, run, when } from '../dom.js';
import { crudPage, enableToggle } from '../crud.js';
import { TOOL_FIELDS } from '../fields.js';

export async function render(container, ctx) {
  const page = crudPage(container, {
    noun: 'tool provider',
    fields: TOOL_FIELDS,
    name: (tool) => tool.tool_id,
    load: async () => (await get(`/admin/llm/groups/${enc(ctx.group)}/tool-providers`)).tool_providers,
    create: (body) => post(`/admin/llm/groups/${enc(ctx.group)}/tool-providers`, body),
    update: (tool, body) => patch(`/admin/llm/tool-providers/${enc(tool.tool_id)}`, body),
    remove: (tool) => del(`/admin/llm/tool-providers/${enc(tool.tool_id)}`),
    columns: [
      { label: 'Id', cell: (tool) => tool.tool_id },
      { label: 'Name', cell: (tool) => tool.name },
      { label: 'Kind', cell: (tool) => tool.kind },
      { label: 'State', cell: (tool) => (tool.enabled ? badge('enabled', 'ok') : badge('disabled', 'off')) },
      { label: 'API key', cell: (tool) => (tool.api_key_set ? 'set' : 'missing') },
      { label: 'Config', cell: (tool) => tool.config },
      { label: 'Searches', cell: (tool) => `${num(tool.search_count)} (${num(tool.search_failures)} failed)` },
      { label: 'Last search', cell: (tool) => when(tool.last_search_at) },
    ],
    actions: (tool, reload) => [
      enableToggle(`tool provider ${tool.tool_id}`, tool.enabled, `/admin/llm/tool-providers/${enc(tool.tool_id)}`, reload),
      button('Test', (event) => run(event.currentTarget, async () => {
        const { test } = await post(`/admin/llm/tool-providers/${enc(tool.tool_id)}/test`);
        notice(`${tool.tool_id}: ${test.ok ? 'OK' : 'failed'} (HTTP ${test.status}, ${test.latency_ms} ms) ${test.message}`, test.ok ? 'ok' : 'error');
      }), 'secondary', { 'aria-label': `Test ${tool.tool_id}` }),
    ],
  });
  await page.reload();
}
