// End-to-end probe: every enabled route of the group gets one small real chat call through its provider (4 at a time,
// as POST /admin/llm/e2e does), with progress as each finishes and a result table at the end.
import { enc, get, post } from '../api.js';
import { h, badge, button, run, table } from '../dom.js';

const CONCURRENCY = 4;

export async function render(container, ctx) {
  const progress = h('progress', { id: 'e2e-progress', max: 1, value: 0 });
  const status = h('p', { class: 'summary', role: 'status', text: 'Not run yet.' });
  const results = h('div', { class: 'list' });
  const start = button('Run E2E', () => run(start, () => runAll(ctx.group, progress, status, results)), 'primary');
  container.append(
    h('p', { text: `Probes every enabled route of group ${ctx.group} with one small real chat call.` }),
    h('div', { class: 'toolbar' }, start, h('label', { for: 'e2e-progress', text: 'Progress' }), progress),
    status,
    results);
}

async function runAll(groupId, progress, status, results) {
  const routes = (await get(`/admin/llm/groups/${enc(groupId)}/routes`)).routes.filter((route) => route.enabled);
  const outcomes = [];
  progress.max = Math.max(routes.length, 1);
  progress.value = 0;
  if (routes.length === 0) {
    // Zero of zero is no pass: a group without routes has nothing a client could call.
    status.textContent = `Nothing to test: group ${groupId} has no enabled routes.`;
    results.replaceChildren();
    return;
  }
  status.textContent = `Probing ${routes.length} routes…`;
  const queue = [...routes];
  const worker = async () => {
    for (let route = queue.shift(); route; route = queue.shift()) {
      outcomes.push({ route, test: await probe(groupId, route) });
      progress.value = outcomes.length;
      status.textContent = `${outcomes.length}/${routes.length} probed…`;
      show(results, outcomes);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const passed = outcomes.filter((outcome) => outcome.test.ok).length;
  status.textContent = `${passed === outcomes.length ? 'PASS' : 'FAIL'} (${passed}/${outcomes.length})`;
  show(results, outcomes);
}

async function probe(groupId, route) {
  try {
    return (await post('/admin/llm/test', { alias: route.alias, group_id: groupId })).test;
  } catch (error) {
    return { ok: false, status: error.status ?? 0, latency_ms: 0, message: error.message };
  }
}

function show(results, outcomes) {
  const sorted = [...outcomes].sort((a, b) => a.route.alias.localeCompare(b.route.alias));
  results.replaceChildren(table([
    { label: 'Alias', cell: ({ route }) => h('code', { text: route.alias }) },
    { label: 'Provider', cell: ({ route, test }) => test.provider_id ?? route.provider_id },
    { label: 'Upstream model', cell: ({ route, test }) => test.upstream_model ?? route.upstream_model },
    { label: 'Key', cell: ({ test }) => test.key ?? '' },
    { label: 'Result', cell: ({ test }) => (test.ok ? badge('pass', 'ok') : badge('fail', 'bad')) },
    { label: 'Status', cell: ({ test }) => String(test.status) },
    { label: 'Latency', cell: ({ test }) => `${test.latency_ms} ms` },
    { label: 'Message', cell: ({ test }) => test.message },
  ], sorted, 'No enabled routes.'));
}
