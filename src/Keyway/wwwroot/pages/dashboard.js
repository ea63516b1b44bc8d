// The dashboard: requests, errors, tokens and latency over time (per alias), requests per key, top aliases, each issued
// key's usage against its budgets and rate limits, each provider's latency and time to first byte, and the upstream keys
// cooling down right now. Charts are inline SVG (chart.js). Refresh re-draws it in place, keeping the range and the
// scroll; the auto-refresh is opt-in.
import { enc, get, query } from '../api.js';
import { h, badge, button, num, reportError, run, section, table, when } from '../dom.js';
import { barChart, chartWidth, lineChart } from '../chart.js';
import { cooldowns, lastFailure } from '../health.js';
import { autoRefresh } from '../refresh.js';

const RANGES = { hour: { label: 'Last 24 hours', step: 3600000, count: 24 }, day: { label: 'Last 30 days', step: 86400000, count: 30 } };
const REFRESH_MS = 10000;

export async function render(container, ctx) {
  const range = h('select', { id: 'dash-range' }, Object.entries(RANGES).map(([value, { label }]) => h('option', { value, text: label })));
  const body = h('div', { class: 'dashboard' });
  let paint = null;
  let drawnWidth = 0;
  const repaint = () => {
    drawnWidth = chartWidth(body);
    body.replaceChildren(...paint(drawnWidth));
  };
  const draw = async () => {
    paint = await build(ctx.group, range.value);
    repaint();
  };
  // A refresh (the timer's or the button's) joins the one still loading rather than piling up behind a slow database.
  let loading = null;
  const refresh = () => {
    loading ??= draw().catch(reportError).finally(() => { loading = null; });
    return loading;
  };
  const auto = autoRefresh({ id: 'dash-auto', label: `Auto-refresh every ${REFRESH_MS / 1000} s`, storageKey: 'keyway.dashboard.autoRefresh', intervalMs: REFRESH_MS, refresh });
  container.append(h('div', { class: 'toolbar' },
    h('label', { for: 'dash-range', text: 'Range ' }), range,
    button('Refresh', (event) => run(event.currentTarget, refresh)),
    auto.control), body);
  // The charts' labels keep their size only at the width they were drawn for: a window resized or a phone turned
  // re-draws them (from the data already loaded).
  const resized = () => {
    if (paint && chartWidth(body) !== drawnWidth) {
      repaint();
    }
  };
  range.addEventListener('change', () => run(range, draw));
  window.addEventListener('resize', resized);
  // A page that could not load has no cleanup to stop its timer with (the shell shows the error instead).
  try {
    await draw();
  } catch (error) {
    auto.stop();
    throw error;
  }
  return () => {
    auto.stop();
    window.removeEventListener('resize', resized);
  };
}

/** Loads the range's figures; returns paint(width) → the dashboard's nodes, charts drawn for that width. */
async function build(groupId, bucket) {
  const group = enc(groupId);
  const [series, stats, { health }, { keys }, { usage }] = await Promise.all([
    get(`/admin/llm/stats/series${query({ bucket, group_id: groupId })}`),
    get(`/admin/llm/stats${query({ group_id: groupId })}`),
    get(`/admin/llm/health?group_id=${group}`),
    get(`/admin/llm/groups/${group}/keys`),
    get(`/admin/llm/groups/${group}/keys/usage`),
  ]);
  const xs = buckets(RANGES[bucket]);
  const aliases = [...new Set(series.series.map((point) => point.route_alias ?? '(none)'))];
  const perAlias = (figure, fillEmpty) => aliases.map((alias) => ({
    name: alias,
    values: xs.map((x) => {
      const point = series.series.find((p) => (p.route_alias ?? '(none)') === alias && Date.parse(p.time) === x);
      return point ? point[figure] : fillEmpty;
    }),
  }));
  const sum = (figure) => xs.map((x) => series.series.filter((p) => Date.parse(p.time) === x).reduce((total, p) => total + p[figure], 0));
  const keyNames = new Map(keys.map((key) => [key.key_id, key.name]));
  // One row per cooldown: a key cooling for one model serves the others, so the row names the model.
  const cooling = health.flatMap((provider) => provider.keys.flatMap((key) => {
    const row = { provider: provider.provider_id, key };
    if (key.state === 'quarantined') {
      return [{ ...row, model: null, until: key.quarantine_reason ?? '—' }];
    }
    return key.state === 'cooling' ? cooldowns(key).map(({ model, until }) => ({ ...row, model, until: when(until) })) : [];
  }));
  const total = series.series.reduce((n, p) => n + p.requests, 0);

  return (width) => [
    h('p', { class: 'summary', text: `${total} requests in the range · ${stats.stats.total} in the retained log · mean latency ${Math.round(stats.stats.avg_latency)} ms` }),
    h('div', { class: 'charts' },
      lineChart({ title: 'Requests per alias', xs, series: perAlias('requests', 0), width }),
      lineChart({ title: 'Errors', xs, series: [{ name: 'errors', values: sum('errors') }], width }),
      lineChart({ title: 'Tokens', xs, series: [{ name: 'input', values: sum('input_tokens') }, { name: 'output', values: sum('output_tokens') }], width }),
      lineChart({ title: 'Latency p50 per alias', xs, series: perAlias('latency_p50_ms', null), unit: ' ms', width }),
      barChart({ title: 'Requests per key', bars: series.by_key.map((row) => ({ label: keyNames.get(row.api_key_id) ?? row.api_key_id ?? '(none)', value: row.requests })), width }),
      barChart({
        title: 'Top aliases (7 days)',
        bars: stats.by_alias.slice(0, 8).map((row) => ({ label: row.route_alias ?? '(none)', value: row.requests })),
        width,
      })),
    section('Key usage',
      h('p', { class: 'hint', text: "Tokens today and this month (UTC) against the key's budgets; requests, tokens and requests in flight in its rate-limit window against its limits." }),
      table([
        { label: 'Key', cell: (row) => row.name },
        { label: 'Tokens today', cell: (row) => used(row.today.total_tokens, row.today.token_budget, row.today.remaining_tokens) },
        { label: 'Tokens this month', cell: (row) => used(row.month.total_tokens, row.month.token_budget, row.month.remaining_tokens) },
        { label: 'Requests this minute', cell: (row) => minute(row, (m) => used(m.requests, m.rpm, m.remaining_requests)) },
        { label: 'Tokens this minute', cell: (row) => minute(row, (m) => used(m.tokens, m.tpm, m.remaining_tokens)) },
        { label: 'In flight', cell: (row) => minute(row, (m) => used(m.in_flight, m.max_concurrency, m.max_concurrency === null ? null : m.max_concurrency - m.in_flight)) },
      ], usage, 'No issued keys.')),
    section('Providers (7 days)', table([
      { label: 'Provider', cell: (row) => row.provider_id ?? '(none)' },
      { label: 'Requests', cell: (row) => num(row.requests) },
      { label: 'Errors', cell: (row) => num(row.errors) },
      { label: 'Latency p50', cell: (row) => ms(row.latency_p50_ms) },
      { label: 'Latency p95', cell: (row) => ms(row.latency_p95_ms) },
      { label: 'TTFB p50', cell: (row) => ms(row.ttfb_p50_ms) },
      { label: 'TTFB p95', cell: (row) => ms(row.ttfb_p95_ms) },
    ], stats.by_provider, 'No requests in the last 7 days.')),
    section('Keys cooling down', table([
      { label: 'Provider', cell: (row) => row.provider },
      { label: 'Key', cell: (row) => row.key.name },
      { label: 'State', cell: (row) => badge(row.key.state, row.key.state === 'cooling' ? 'warn' : 'bad') },
      { label: 'Model', cell: (row) => row.model ?? 'every model' },
      { label: 'Until', cell: (row) => row.until },
      { label: 'Last error', cell: (row) => lastFailure(row.key) },
    ], cooling, 'Every key is usable.')),
  ];
}

/**
 * A count against its limit: "36 / 500 · 464 left" with a meter, or the count alone when there is no limit (null).
 */
function used(count, limit, left) {
  if (limit === null || limit === undefined) {
    return num(count);
  }
  return h('span', {}, `${num(count)} / ${num(limit)} · ${num(left)} left`,
    h('meter', { min: 0, max: limit, value: Math.min(count, limit), low: limit * 0.5, high: limit * 0.8, optimum: 0, 'aria-hidden': 'true' }));
}

/** A figure of the key's rate-limit window; a key without rpm, tpm and max_concurrency has none (nothing counts it). */
function minute(row, figure) {
  return row.minute ? figure(row.minute) : 'no limit';
}

function ms(value) {
  return value === null || value === undefined ? '—' : `${num(value)} ms`;
}

/** The bucket starts of the range, oldest first, ending with the current bucket (UTC, as the server buckets). */
function buckets({ step, count }) {
  const current = Math.floor(Date.now() / step) * step;
  return Array.from({ length: count }, (_, i) => current - (count - 1 - i) * step);
}
