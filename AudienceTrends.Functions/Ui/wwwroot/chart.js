// An SVG line chart of audience sizes per day (GET /v2/audiencetrends), with a text legend and a described summary.
import { h, svg } from './dom.js';

// Colours with at least 3:1 contrast on white, told apart by dash pattern too (not colour alone).
const COLOURS = ['#1b5e9e', '#b3261e', '#1e7a34', '#7a4b00', '#6a1b9a', '#00695c', '#ad1457', '#37474f'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

export function lineChart(data) {
  const W = 720, H = 300, L = 70, R = 16, T = 16, B = 40;
  const days = data.days;
  const values = data.audiences.flatMap(a => a.counts.filter(c => c !== null));
  const max = Math.max(1, ...values);
  const x = i => L + (days.length === 1 ? 0 : (i * (W - L - R)) / (days.length - 1));
  const y = v => T + (H - T - B) * (1 - v / max);
  const summary = `${data.audiences.length} audience(s), ${days[0]} to ${days[days.length - 1]}, largest size ${max.toLocaleString()}.`;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Audience sizes per day: ${summary}`, class: 'chart' });
  chart.append(svg('title', {}, 'Audience sizes per day'));
  for (const f of [0, 0.5, 1]) {
    chart.append(svg('line', { x1: L, x2: W - R, y1: y(max * f), y2: y(max * f), stroke: '#d0d4d9' }),
      svg('text', { x: L - 6, y: y(max * f) + 4, 'text-anchor': 'end', 'font-size': 12, fill: '#333' }, Math.round(max * f).toLocaleString()));
  }
  chart.append(svg('text', { x: L, y: H - 12, 'font-size': 12, fill: '#333' }, days[0]),
    svg('text', { x: W - R, y: H - 12, 'font-size': 12, fill: '#333', 'text-anchor': 'end' }, days[days.length - 1]));
  data.audiences.forEach((a, n) => {
    // A gap in the figures breaks the line: a day without a figure is not a zero.
    let d = '';
    let pen = 'M';
    a.counts.forEach((c, i) => {
      if (c === null) { pen = 'M'; return; }
      d += `${pen}${x(i).toFixed(1)},${y(c).toFixed(1)} `;
      pen = 'L';
    });
    chart.append(svg('path', { d: d.trim() || 'M0,0', fill: 'none', stroke: COLOURS[n % COLOURS.length], 'stroke-width': 2, 'stroke-dasharray': DASHES[n % DASHES.length] }));
  });
  const legend = h('ul', { class: 'legend' }, data.audiences.map((a, n) => {
    const sample = svg('svg', { width: 28, height: 10, 'aria-hidden': 'true' },
      svg('line', { x1: 0, x2: 28, y1: 5, y2: 5, stroke: COLOURS[n % COLOURS.length], 'stroke-width': 2, 'stroke-dasharray': DASHES[n % DASHES.length] }));
    const known = a.counts.filter(c => c !== null);
    return h('li', {}, sample, ' ', h('span', { class: 'audience-name' }, a.name),
      known.length ? ` — last ${known[known.length - 1].toLocaleString()}` : ' — no figures in these days');
  }));
  return h('figure', { class: 'preview' }, chart, h('figcaption', {}, summary), legend);
}
