// The request log: filters (key, group, alias, provider, status, time), newest first, a detail view, paging by cursor
// through what the applied filters select, and an auto-refresh toggle.
import { enc, get, query } from '../api.js';
import { h, badge, button, num, reportError, run, showPanel, table, when } from '../dom.js';

const REFRESH_MS = 5000;

export async function render(container, ctx) {
  const [{ keys }, { providers }] = await Promise.all([
    get(`/admin/llm/groups/${enc(ctx.group)}/keys`),
    get(`/admin/llm/groups/${enc(ctx.group)}/providers`),
  ]);
  const keyNames = new Map(keys.map((key) => [key.key_id, key.name]));
  const filters = h('form', { class: 'filters', 'aria-label': 'Log filters' },
    select('api_key_id', 'Key', [['', 'any key'], ...keys.map((key) => [key.key_id, key.name])]),
    select('group_id', 'Group', [[ctx.group, ctx.group], ['', 'all groups']]),
    input('alias', 'Alias', 'text'),
    input('provider_id', 'Provider', 'text', providers.map((provider) => [provider.provider_id, provider.name])),
    input('status', 'Status', 'text', [['ok', '2xx'], ['error', 'not 2xx']], 'any: ok, error or a code (429)'),
    input('since', 'Since', 'datetime-local'),
    input('until', 'Until', 'datetime-local'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Apply' })));
  const auto = h('input', { type: 'checkbox', id: 'logs-auto' });
  const list = h('div', { class: 'list' });
  const detail = h('div', { class: 'form-slot' });
  const pager = h('div', { class: 'toolbar' });
  let cursors = [];
  let applied = typed();

  /** The filters as typed; they apply only on Apply, so paging and auto-refresh keep to the ones the list shows. */
  function typed() {
    const values = Object.fromEntries(new FormData(filters));
    for (const name of ['since', 'until']) {
      values[name] = values[name] ? new Date(values[name]).toISOString() : '';
    }
    return values;
  }

  /**
   * Loads the page the cursor stack leads to (empty: the newest) under the given filters; the stack and the filters are
   * kept only once that page came.
   */
  async function load(stack = [], values = applied) {
    const page = await get(`/admin/llm/logs${query({ ...values, before: stack.at(-1), limit: 25 })}`);
    cursors = stack;
    applied = values;
    list.replaceChildren(table([
      { label: 'Time', cell: (log) => when(log.created_at) },
      { label: 'Key', cell: (log) => `${keyNames.get(log.api_key_id) ?? log.api_key_id ?? '—'}${log.visitor ? ' · visitor' : ''}` },
      { label: 'Alias', cell: (log) => log.route_alias ?? '—' },
      { label: 'Provider', cell: (log) => log.provider_id ?? '—' },
      { label: 'Status', cell: (log) => badge(String(log.status_code), log.status_code < 300 ? 'ok' : 'bad') },
      { label: 'Tokens in/out', cell: (log) => `${num(log.input_tokens)} / ${num(log.output_tokens)}` },
      { label: 'Latency', cell: (log) => `${log.latency_ms} ms` },
      { label: 'TTFB', cell: (log) => (log.ttfb_ms === null ? '—' : `${log.ttfb_ms} ms`) },
      { label: '', cell: (log) => button('Details', () => showDetail(log, detail), 'secondary', { 'aria-label': `Details of request ${log.log_id}` }) },
    ], page.logs, 'No requests match.'));
    pager.replaceChildren(
      pageButton('Newest', [], cursors.length === 0),
      pageButton('Newer', cursors.slice(0, -1), cursors.length === 0),
      pageButton('Older', [...cursors, page.next_cursor], !page.next_cursor));
  }

  const pageButton = (label, stack, disabled) =>
    button(label, (event) => run(event.currentTarget, () => load(stack)), 'secondary', { disabled });

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    run(event.submitter, () => load([], typed()));
  });
  let timer = null;
  auto.addEventListener('change', () => {
    clearInterval(timer);
    timer = auto.checked ? setInterval(() => { if (cursors.length === 0) load().catch(reportError); }, REFRESH_MS) : null;
  });
  container.append(filters, h('div', { class: 'field check' }, auto, h('label', { for: 'logs-auto', text: 'Auto-refresh every 5 s' })), detail, list, pager);
  await load();
  return () => clearInterval(timer);
}

function showDetail(log, slot) {
  const rows = [
    ['Request', `#${log.log_id} · ${when(log.created_at)}`],
    ['Endpoint', `${log.endpoint} (${log.client_protocol} → ${log.upstream_protocol ?? '—'}${log.translated ? ', translated' : ''}${log.stream ? ', streamed' : ''})`],
    ['Route', `${log.group_id} / ${log.route_alias ?? '—'} → ${log.provider_id ?? '—'} ${log.upstream_model ?? ''}`],
    ['Status', String(log.status_code)],
    ['Latency / TTFB', `${log.latency_ms} ms / ${log.ttfb_ms === null ? '—' : `${log.ttfb_ms} ms`}`],
    ['Tokens', `in ${num(log.input_tokens)}, out ${num(log.output_tokens)}, cache read ${num(log.cache_read_tokens)}, cache write ${num(log.cache_write_tokens)}, reasoning ${num(log.reasoning_tokens)}`],
    ['Web search', log.web_search_calls === null ? '—' : `${log.web_search_calls} calls in ${log.web_search_rounds} rounds`],
    log.web_search_round_ms && ['Search rounds', log.web_search_round_ms.map((ms) => `${ms} ms`).join(', ')],
    log.web_search_queries && ['Search queries', log.web_search_queries.join(' | ')],
    log.tool_fallback && ['Tool fallback', `retried without ${log.tool_fallback}`],
    ['Client', log.user_agent ?? '—'],
    ['Error', log.error ?? '—'],
  ].filter(Boolean);
  showPanel(slot, h('section', { class: 'pool', 'aria-label': `Request ${log.log_id}` },
    h('h3', { text: `Request ${log.log_id}` }),
    h('dl', { class: 'detail' }, rows.map(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })])),
    h('h4', { text: `Attempts (${log.attempts})` }),
    table([
      { label: 'Provider', cell: (attempt) => attempt.provider },
      { label: 'Key', cell: (attempt) => attempt.key },
      { label: 'Status', cell: (attempt) => String(attempt.status) },
    ], log.attempt_log ?? [], 'No attempt log.'),
    button('Close', () => slot.replaceChildren())));
}

function select(name, label, options) {
  const id = `logs-${name}`;
  return h('div', { class: 'field' }, h('label', { for: id, text: label }),
    h('select', { id, name }, options.map(([value, text]) => h('option', { value, text }))));
}

/** A filter input; suggestions: [value, label] pairs offered as it is typed (any other value may still be typed). */
function input(name, label, type, suggestions = [], placeholder = undefined) {
  const id = `logs-${name}`;
  const list = suggestions.length ? h('datalist', { id: `${id}-list` }, suggestions.map(([value, text]) => h('option', { value, label: text }))) : null;
  return h('div', { class: 'field' }, h('label', { for: id, text: label }),
    h('input', { id, name, type, placeholder, list: list?.id, autocomplete: 'off' }), list);
}
