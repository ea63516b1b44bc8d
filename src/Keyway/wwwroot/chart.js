// Inline SVG charts: a time line chart (one line per series) and a horizontal bar chart. Sized by viewBox, so they
// scale with the page; every point and bar carries a <title> for a hover/readout value. width: the viewBox width, best
// the width the chart is shown at (chartWidth), so that its 11px labels are 11px on a phone too, not scaled down.
import { h, s } from './dom.js';

const WIDTH = 640;
const MIN_WIDTH = 300;
const HEIGHT = 220;
const PAD = { left: 52, right: 12, top: 12, bottom: 28 };
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

/** The viewBox width for a chart shown in box: its inner width, at most the desktop width of 640. */
export function chartWidth(box) {
  return Math.round(Math.max(MIN_WIDTH, Math.min(WIDTH, box.clientWidth - 26)));
}

/** series: [{name, values: [y per x]}], xs: bucket start times (ms). */
export function lineChart({ title, xs, series, unit = '', width = WIDTH }) {
  const maxY = niceMax(Math.max(0, ...series.flatMap((line) => line.values.filter((v) => v !== null))));
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i) => PAD.left + (xs.length <= 1 ? plotW / 2 : (i * plotW) / (xs.length - 1));
  const y = (v) => PAD.top + plotH - (v / maxY) * plotH;
  const daily = isDaily(xs);
  const svg = s('svg', { viewBox: `0 0 ${width} ${HEIGHT}`, role: 'img', 'aria-label': title, class: 'chart' },
    s('title', { text: title }),
    yGrid(maxY, y, unit, width),
    xLabels(xs, x, daily),
    series.map((line, index) => {
      const color = COLORS[index % COLORS.length];
      const points = line.values.map((v, i) => (v === null ? null : [x(i), y(v), v, i])).filter(Boolean);
      return s('g', { class: 'series', 'data-series': line.name },
        s('polyline', { points: points.map(([px, py]) => `${px},${py}`).join(' '), fill: 'none', stroke: color, 'stroke-width': 2 }),
        points.map(([px, py, v, i]) => s('circle', { cx: px, cy: py, r: 3, fill: color },
          s('title', { text: `${line.name} · ${bucketTime(new Date(xs[i]), daily)} · ${v}${unit}` }))));
    }));
  return figure(title, svg, series.map((line) => line.name));
}

/** bars: [{label, value}], largest first. */
export function barChart({ title, bars, unit = '', width = WIDTH }) {
  const rowH = 26;
  const height = Math.max(1, bars.length) * rowH + 8;
  const labelW = Math.min(170, Math.round(width * 0.3));
  const labelChars = Math.floor(labelW / 7);
  const maxV = niceMax(Math.max(0, ...bars.map((bar) => bar.value)));
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart' },
    s('title', { text: title }),
    bars.map((bar, i) => {
      const w = ((width - labelW - 70) * bar.value) / maxV;
      const top = 4 + i * rowH;
      return s('g', { class: 'bar' },
        s('text', { x: labelW - 6, y: top + 17, 'text-anchor': 'end', class: 'axis', text: truncate(bar.label, labelChars) }),
        s('rect', { x: labelW, y: top + 3, width: Math.max(w, 1), height: rowH - 8, fill: COLORS[i % COLORS.length], rx: 3 },
          s('title', { text: `${bar.label}: ${bar.value}${unit}` })),
        s('text', { x: labelW + Math.max(w, 1) + 6, y: top + 17, class: 'axis', text: `${bar.value.toLocaleString()}${unit}` }));
    }));
  return figure(title, svg, []);
}

function figure(title, svg, legend) {
  return h('figure', { class: 'chart-box' },
    h('figcaption', { text: title }),
    svg,
    legend.length > 1 ? h('ul', { class: 'legend' }, legend.map((name, i) =>
      h('li', {}, h('span', { class: `swatch c${i % COLORS.length}` }), name))) : null);
}

function yGrid(maxY, y, unit, width) {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = maxY * f;
    return s('g', {},
      s('line', { x1: PAD.left, x2: width - PAD.right, y1: y(v), y2: y(v), class: 'grid' }),
      s('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis', text: `${short(v)}${unit}` }));
  });
}

function xLabels(xs, x, daily) {
  const step = Math.max(1, Math.ceil(xs.length / 6));
  return xs.map((t, i) => (i % step === 0
    ? s('text', { x: x(i), y: HEIGHT - 8, 'text-anchor': 'middle', class: 'axis', text: label(new Date(t), daily) })
    : null));
}

function isDaily(xs) {
  return xs.length > 1 && xs[1] - xs[0] >= 86400000;
}

// Day buckets are UTC days (as the server counts them), so they are named by their UTC date: in a browser west of UTC
// the local date of a bucket's start is the day before. Hour buckets are shown in local time, minutes included, since
// some time zones are half an hour off UTC.
function label(date, daily) {
  return daily ? `${date.getUTCMonth() + 1}/${date.getUTCDate()}` : `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function bucketTime(date, daily) {
  return daily ? `${date.toLocaleDateString(undefined, { timeZone: 'UTC' })} (UTC day)` : date.toLocaleString();
}

function pad(n) {
  return String(n).padStart(2, '0');
}

function niceMax(value) {
  if (value <= 0) {
    return 1;
  }
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((m) => m >= value);
}

function short(v) {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
}

function truncate(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
