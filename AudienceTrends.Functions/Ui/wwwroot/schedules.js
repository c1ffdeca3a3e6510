// Schedules: list with state and next run; a schedule's runs; pause, resume, run now, backfill a range, delete.
import { h, clear, replace, when, timeEl, statusBadge, confirmDialog, announce } from './dom.js';
import { api, query, ApiError } from './api.js';
import { go } from './nav.js';
import { jobsTable, jobRow } from './jobs.js';
import { field, clearErrors, showErrors, valueOf } from './form.js';

// A time as the schedule's own zone shows it: "2026-12-04 06:00 Europe/Paris".
const local = (iso, zone) => `${String(iso).slice(0, 10)} ${String(iso).slice(11, 16)} ${zone}`;
const nextRun = s => (s.nextRuns?.[0] ? local(s.nextRuns[0].local, s.timeZone) : '—');

function actions(s, after, status) {
  const act = (label, path, done) => h('button', { type: 'button', 'data-action': label.toLowerCase().replace(/\s+/g, '-'), onclick: async () => {
    status.textContent = '';
    try {
      const { data } = await api('POST', `/v2/schedules/${encodeURIComponent(s.id)}/${path}`);
      announce(done(data));
      await after(data);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      status.textContent = e.message;
    }
  } }, label);
  return h('span', { class: 'actions' },
    s.state === 'Active' ? act('Pause', 'pause', () => `Schedule ${s.name} paused.`) : act('Resume', 'resume', () => `Schedule ${s.name} resumed.`),
    ' ', act('Run now', 'run', job => `Run queued as job ${job.jobId}.`));
}

export async function schedulesPage(main) {
  document.title = 'Schedules · Audience Trends';
  const body = h('tbody');
  const status = h('p', { class: 'error', role: 'alert' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  main.append(h('h1', {}, 'Schedules'), status,
    h('table', { class: 'schedules' }, h('caption', {}, 'Scheduled exports'),
      h('thead', {}, h('tr', {}, ['Name', 'State', 'When', 'Next run', 'Last run', 'Actions'].map(c => h('th', { scope: 'col' }, c)))), body), pager);
  const after = new URLSearchParams(location.search).get('after');
  const load = async () => {
    const { data, headers } = await api('GET', `/v2/schedules${query({ limit: 25, continuationToken: after })}`);
    replace(body, ...data.map(s => h('tr', {},
      h('td', {}, h('a', { href: `/ui/schedules/${encodeURIComponent(s.id)}` }, s.name)),
      h('td', {}, statusBadge(s.state), s.consecutiveFailures ? ` (${s.consecutiveFailures} failure(s) in a row)` : ''),
      h('td', {}, h('code', {}, s.cron), ` ${s.timeZone}`),
      h('td', {}, nextRun(s)),
      h('td', {}, s.lastRun ? [statusBadge(s.lastRun.status ?? 'Pending'), ' ', h('a', { href: `/ui/jobs/${encodeURIComponent(s.lastRun.jobId)}` }, when(s.lastRun.slot))] : '—'),
      h('td', {}, actions(s, load, status)))));
    if (!data.length) body.append(h('tr', {}, h('td', { colspan: 6 }, 'No schedules yet: create them with POST /v2/schedules.')));
    clear(pager);
    const next = headers.get('X-Continuation-Token');
    if (after) pager.append(h('a', { href: '/ui/schedules' }, 'First page'));
    if (next) pager.append(h('a', { href: `/ui/schedules?after=${encodeURIComponent(next)}`, rel: 'next' }, 'Next page'));
  };
  await load();
}

export async function schedulePage(main, id) {
  const content = h('div');
  const status = h('p', { class: 'error', role: 'alert' });
  main.append(h('p', {}, h('a', { href: '/ui/schedules' }, '← All schedules')), content, status);
  const load = async () => {
    let s;
    try {
      ({ data: s } = await api('GET', `/v2/schedules/${encodeURIComponent(id)}`));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) { replace(content, h('h1', {}, 'Schedule not found'), h('p', {}, e.message)); return; }
      throw e;
    }
    document.title = `${s.name} · Schedules · Audience Trends`;
    const { table, body } = jobsTable('Runs, newest first');
    const { data: runs } = await api('GET', `/v2/jobs${query({ scheduleId: s.id, limit: 25 })}`);
    body.append(...runs.map(jobRow));
    const backfill = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'backfill-h' },
      h('h2', { id: 'backfill-h' }, 'Backfill a range'),
      h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
      h('div', { class: 'row' }, field({ path: 'from', label: 'From (ISO instant)', required: true, help: 'e.g. 2026-11-01T00:00:00Z' }),
        field({ path: 'to', label: 'To (ISO instant)', required: true })),
      h('button', { type: 'submit' }, 'Queue the missed runs'), h('div', { id: 'backfill-result', 'aria-live': 'polite' }));
    backfill.addEventListener('submit', async e => {
      e.preventDefault();
      clearErrors(backfill);
      const from = valueOf(backfill, 'from'), to = valueOf(backfill, 'to');
      const errors = {};
      for (const [k, v] of [['from', from], ['to', to]]) if (!v || Number.isNaN(Date.parse(v))) errors[k] = [`${k} must be an ISO 8601 instant, e.g. 2026-11-01T00:00:00Z.`];
      if (Object.keys(errors).length) { showErrors(backfill, errors, 'Check the range'); return; }
      try {
        const { data } = await api('POST', `/v2/schedules/${encodeURIComponent(s.id)}/backfill`, { body: { from, to } });
        const result = backfill.querySelector('#backfill-result');
        replace(result, h('p', {}, `${data.queued.length} run(s) queued.`),
          h('ul', {}, data.queued.map(q => h('li', {}, h('a', { href: `/ui/jobs/${encodeURIComponent(q.jobId)}` }, when(q.slot))))));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        showErrors(backfill, Object.keys(err.errors).length ? err.errors : { $: [err.message] }, 'Nothing was queued');
      }
    });
    const remove = h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!await confirmDialog(`Delete the schedule "${s.name}"? Its past runs stay in the jobs list.`, 'Delete schedule')) return;
      await api('DELETE', `/v2/schedules/${encodeURIComponent(s.id)}`);
      go('/ui/schedules');
    } }, 'Delete schedule');
    replace(content, h('h1', {}, s.name, ' ', statusBadge(s.state)),
      h('div', { class: 'actions' }, actions(s, load, status), ' ', remove),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Cron'), h('dd', {}, h('code', {}, s.cron), ` in ${s.timeZone}`),
        h('dt', {}, 'Timeframe'), h('dd', {}, `the last ${s.timeframe?.lastDays} day(s), ending ${s.timeframe?.endDaysAgo} day(s) ago`),
        h('dt', {}, 'Overlap / catch-up'), h('dd', {}, `${s.overlap} / ${s.catchUp}`),
        h('dt', {}, 'Suspends after'), h('dd', {}, `${s.suspendAfterFailures} failure(s) in a row (now ${s.consecutiveFailures})`),
        h('dt', {}, 'Next runs'), h('dd', {}, h('ul', {}, (s.nextRuns ?? []).map(r => h('li', {}, local(r.local, s.timeZone), ' (', timeEl(r.utc), ' here)')))),
        h('dt', {}, 'Created'), h('dd', {}, timeEl(s.createdAt))),
      h('h2', {}, 'Runs'), table, backfill);
  };
  await load();
}
