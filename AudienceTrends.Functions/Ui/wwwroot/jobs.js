// The jobs list (filters in the URL, paging, auto-refresh while a job is active) and a job's page.
import { h, clear, replace, timeEl, bytes, statusBadge, confirmDialog, announce } from './dom.js';
import { api, query, ApiError } from './api.js';
import { go, onLeave } from './nav.js';

const ACTIVE = new Set(['Pending', 'Processing']);
const STATUSES = ['Pending', 'Processing', 'Done', 'Failed', 'Cancelled'];
const TYPE_LABELS = { aws: 'Download', sftp: 'SFTP', ftp: 'FTP', s3: 'Amazon S3', gcs: 'Google Cloud Storage', azureblob: 'Azure Blob' };

export function destinationSummary(d) {
  if (!d) return '—';
  const { type, ...fields } = d;
  const label = TYPE_LABELS[type] ?? type;
  if (type === 'aws') return `${label} (from this page)`;
  if (fields.server) return `${label} ${fields.username}@${fields.server}:${fields.port}${fields.path ? ` ${fields.path}` : ''}`;
  const rest = Object.values(fields).filter(v => typeof v !== 'object').join(' · ');
  return rest ? `${label} ${rest}` : label;
}

export function formatOf(job) {
  const gz = job.result?.fileName?.endsWith('.gz') || job.compression === 'gzip';
  const names = { csv: 'CSV', jsonl: 'JSON Lines', parquet: 'Parquet' };
  return `${names[job.exportType] ?? job.exportType}${job.layout ? `, ${job.layout}` : ''}${gz ? ', gzip' : ''}`;
}

function progress(job) {
  const total = job.totalItems || 0;
  const done = job.completedItems || 0;
  const text = `${done} of ${total} audiences`;
  return h('span', { class: 'progress' },
    h('progress', { max: Math.max(total, 1), value: done, 'aria-label': `Progress: ${text}` }), ' ', text);
}

// "updated N s ago", ticking every second.
function freshness() {
  const el = h('p', { class: 'freshness', 'aria-live': 'off' });
  let at = Date.now();
  const tick = () => { el.textContent = `Updated ${Math.round((Date.now() - at) / 1000)} s ago`; };
  tick();
  const timer = setInterval(tick, 1000);
  onLeave(() => clearInterval(timer));
  return { el, touch() { at = Date.now(); tick(); } };
}

function filtersFromUrl() {
  const p = new URLSearchParams(location.search);
  return { status: p.get('status') ?? '', from: p.get('from') ?? '', to: p.get('to') ?? '', name: p.get('name') ?? '', schedule: p.get('schedule') ?? '', after: p.get('after') ?? '', limit: p.get('limit') ?? '' };
}

function apiQuery(f) {
  const toInstant = (d, end) => (d ? `${d}T${end ? '23:59:59.999' : '00:00:00'}Z` : undefined);
  return query({ status: f.status, 'times[start][gte]': toInstant(f.from), 'times[start][lte]': toInstant(f.to, true), scheduleId: f.schedule, limit: f.limit || 25, continuationToken: f.after });
}

function filterForm(f) {
  const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);
  const status = h('select', { id: 'filter-status', name: 'status' }, h('option', { value: '' }, 'Any'),
    STATUSES.map(s => h('option', { value: s, selected: s === f.status }, s)));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter jobs' },
    field('filter-status', 'Status', status),
    field('filter-from', 'Started on or after', h('input', { id: 'filter-from', name: 'from', type: 'date', value: f.from })),
    field('filter-to', 'Started on or before', h('input', { id: 'filter-to', name: 'to', type: 'date', value: f.to })),
    field('filter-schedule', 'Schedule id', h('input', { id: 'filter-schedule', name: 'schedule', value: f.schedule, size: 12 })),
    field('filter-name', 'Name contains (this page)', h('input', { id: 'filter-name', name: 'name', value: f.name, type: 'search' })),
    h('button', { type: 'submit' }, 'Apply filters'),
    h('a', { href: '/ui/jobs', class: 'button-link' }, 'Clear'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const data = new FormData(form);
    const q = new URLSearchParams();
    for (const [k, v] of data) if (v) q.set(k, v);
    go(`/ui/jobs${q.size ? `?${q}` : ''}`);
  });
  return form;
}

export function jobRow(job) {
  return h('tr', {},
    h('td', {}, h('a', { href: `/ui/jobs/${encodeURIComponent(job.jobId)}` }, job.name)),
    h('td', {}, statusBadge(job.status)),
    h('td', {}, progress(job)),
    h('td', {}, timeEl(job.times?.created)),
    h('td', {}, timeEl(job.times?.end)),
    h('td', { class: 'wrap-anywhere' }, destinationSummary(job.destination)),
    h('td', {}, formatOf(job)));
}

export function jobsTable(caption) {
  const body = h('tbody');
  const table = h('table', { class: 'jobs' }, h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ['Name', 'Status', 'Progress', 'Created', 'Finished', 'Destination', 'Format'].map(c => h('th', { scope: 'col' }, c)))),
    body);
  return { table, body };
}

export async function jobsPage(main) {
  document.title = 'Jobs · Audience Trends';
  const f = filtersFromUrl();
  const { table, body } = jobsTable('Export jobs, newest first');
  const fresh = freshness();
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const empty = h('p', { class: 'empty', hidden: true }, 'No jobs match.');
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Jobs'), h('a', { href: '/ui/new', class: 'button-link primary' }, 'New export')),
    filterForm(f), fresh.el, table, empty, pager);

  let timer = null;
  onLeave(() => clearTimeout(timer));
  const load = async () => {
    const { data, headers } = await api('GET', `/v2/jobs${apiQuery(f)}`);
    const needle = f.name.toLowerCase();
    const jobs = needle ? data.filter(j => j.name.toLowerCase().includes(needle)) : data;
    replace(body, ...jobs.map(jobRow));
    empty.hidden = jobs.length > 0;
    fresh.touch();
    clear(pager);
    const next = headers.get('X-Continuation-Token');
    const params = new URLSearchParams(location.search);
    if (f.after) { params.delete('after'); pager.append(h('a', { href: `/ui/jobs${params.size ? `?${params}` : ''}` }, 'First page')); }
    if (next) { params.set('after', next); pager.append(h('a', { href: `/ui/jobs?${params}`, rel: 'next' }, 'Next page')); }
    if (data.some(j => ACTIVE.has(j.status))) timer = setTimeout(() => load().catch(showError), 3000);
  };
  const showError = e => main.append(h('p', { class: 'error', role: 'alert' }, e.message));
  await load();
}

function timeline(job) {
  const steps = [['Created', job.times?.created], ['Started', job.times?.start], [job.status === 'Cancelled' ? 'Cancelled' : job.status === 'Failed' ? 'Failed' : 'Finished', job.times?.end]];
  return h('ol', { class: 'timeline' }, steps.map(([label, at]) => h('li', { class: at ? 'reached' : 'waiting' }, h('span', { class: 'label' }, label), ' ', timeEl(at))));
}

function definitions(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(p => p).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export async function jobPage(main, id) {
  const fresh = freshness();
  const content = h('div');
  const status = h('p', { class: 'error', role: 'alert' });
  main.append(h('p', {}, h('a', { href: '/ui/jobs' }, '← All jobs')), content, status, fresh.el);
  let timer = null;
  onLeave(() => clearTimeout(timer));

  const render = job => {
    document.title = `${job.name} · Jobs · Audience Trends`;
    const actions = h('div', { class: 'actions' });
    if (job.status === 'Done' && job.result?.downloadUrl) {
      actions.append(h('button', { type: 'button', class: 'primary', id: 'download', onclick: () => download(job.jobId).catch(e => { status.textContent = e.message; }) }, 'Download'));
    }
    if (ACTIVE.has(job.status)) {
      actions.append(h('button', { type: 'button', class: 'danger', id: 'cancel', onclick: () => cancel(job).catch(e => { status.textContent = e.message; }) }, 'Cancel job'));
    }
    replace(content, 
      h('h1', {}, job.name, ' ', statusBadge(job.status)),
      progress(job),
      actions,
      h('h2', {}, 'Timeline'), timeline(job),
      job.error ? h('section', { class: 'failure', 'aria-labelledby': 'failure-h' }, h('h2', { id: 'failure-h' }, 'Why it failed'),
        h('p', { id: 'failure-reason' }, job.error.message), h('p', { class: 'muted' }, `Code: ${job.error.code}`)) : null,
      h('h2', {}, 'Details'),
      definitions([
        ['Job id', job.jobId], ['Format', formatOf(job)], ['Destination', destinationSummary(job.destination)],
        ['Timeframe', `${job.selected_timeframe_start} to ${job.selected_timeframe_end}`], ['Attempts', String(job.attempts)],
        job.result && ['File', job.result.fileName], job.result && ['Rows', job.result.rows.toLocaleString()],
        job.result && ['Size', bytes(job.result.bytes)], job.result && ['SHA-256', h('code', { id: 'sha256' }, job.result.sha256)],
        job.result && ['Location', job.result.location],
        job.schedule && ['Schedule', h('a', { href: `/ui/schedules/${encodeURIComponent(job.schedule.id)}` }, `${job.schedule.id} (slot ${job.schedule.slot})`)],
        job.webhook && ['Webhook', `${job.webhook.status} · ${job.webhook.url} · ${job.webhook.attempts} attempt(s)${job.webhook.lastStatusCode ? ` · last answer ${job.webhook.lastStatusCode}` : ''}`],
      ]));
  };

  const load = async () => {
    let job;
    try {
      ({ data: job } = await api('GET', `/v2/jobs/${encodeURIComponent(id)}`));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) { replace(content, h('h1', {}, 'Job not found'), h('p', {}, e.message)); return; }
      throw e;
    }
    render(job);
    fresh.touch();
    if (ACTIVE.has(job.status)) timer = setTimeout(() => load().catch(e => { status.textContent = e.message; }), 2000);
  };

  // A fresh link at each click: the one shown a while ago may have expired.
  async function download(jobId) {
    const { data } = await api('GET', `/v2/jobs/${encodeURIComponent(jobId)}`);
    const url = data.result?.downloadUrl;
    if (!url) throw new Error('This job has no file to download.');
    const a = h('a', { href: url, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    announce('Download started.');
  }

  async function cancel(job) {
    if (!await confirmDialog(`Cancel the export "${job.name}"? A running export stops and leaves nothing at its destination.`, 'Cancel job')) return;
    try {
      const { status: code } = await api('POST', `/v2/jobs/${encodeURIComponent(job.jobId)}/cancel`);
      announce(code === 202 ? 'Cancel requested: the export is stopping.' : 'The job is cancelled.');
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409)) throw e;
      status.textContent = e.message;
    }
    clearTimeout(timer);
    await load();
  }

  await load();
}
