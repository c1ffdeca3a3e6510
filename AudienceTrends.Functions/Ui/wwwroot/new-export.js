// New export: every field of the request body, the chosen destination's own fields, checks mirroring the server's,
// the server's errors next to their fields, "Test destination" and a trend preview.
import { h, clear, replace, announce } from './dom.js';
import { api, query, ApiError } from './api.js';
import { go } from './nav.js';
import { field, clearErrors, showErrors, valueOf, controlFor } from './form.js';
import { checkField, checkAudiences, checkTimeframe, checkFile } from './checks.js';
import { lineChart } from './chart.js';

const TYPES = [['aws', 'Download from the Jobs page (aws)'], ['sftp', 'SFTP server'], ['ftp', 'FTP server'], ['s3', 'Amazon S3'], ['gcs', 'Google Cloud Storage'], ['azureblob', 'Azure Blob container']];

// Each destination type's fields: [JSON field, label, input type, required, rule, help].
const DESTINATION_FIELDS = {
  aws: [],
  sftp: [['server', 'Server', 'text', true, 'server', 'Host name or IP address, e.g. sftp.example.com'], ['port', 'Port', 'text', true, 'port', null, '22'],
    ['username', 'User name', 'text', true], ['auth', null], ['hostKeyFingerprint', 'Expected host key (optional)', 'text', false, 'fingerprint', 'SHA256:... as ssh-keygen -lf prints it'], ['path', 'Folder', 'text', false, 'path']],
  ftp: [['server', 'Server', 'text', true, 'server'], ['port', 'Port', 'text', true, 'port', null, '21'], ['username', 'User name', 'text', true],
    ['password', 'Password', 'password', true], ['path', 'Folder', 'text', false, 'path'], ['secure', 'Use FTPS (TLS)', 'checkbox', false]],
  s3: [['aws_access_key_id', 'Access key id', 'text', true], ['aws_secret_access_key', 'Secret access key', 'password', true],
    ['aws_bucket', 'Bucket', 'text', true, 'bucket'], ['aws_region', 'Region', 'text', true, 'region', 'e.g. us-west-2'], ['path', 'Path to folder and file', 'text', false, 'path']],
  gcs: [['gcs_bucket', 'Bucket', 'text', true, 'bucket'], ['path', 'Folder', 'text', false, 'path']],
  azureblob: [['container_url', 'Container URL', 'text', true, 'containerUrl', 'https://<account>.blob.core.windows.net/<container>'], ['sas_token', 'Container SAS token', 'password', true, 'sas'], ['path', 'Folder', 'text', false, 'path']],
};

function sftpAuth(keys) {
  const group = `sftp-auth-${Math.random().toString(36).slice(2)}`;
  const password = field({ path: 'destination.password', label: 'Password', type: 'password' });
  const savedKey = field({ path: 'destination.savedKey', label: 'Saved key', type: 'select', options: [['', keys.length ? 'Choose a key' : 'No saved keys: create one on the SFTP keys page'], ...keys.map(k => [k.name, `${k.name} (${k.fingerprint})`])] });
  savedKey.hidden = true;
  const radio = (value, label, checked) => h('label', { class: 'inline' }, h('input', { type: 'radio', name: group, value, checked: checked || null }), ' ', label);
  const set = h('fieldset', { class: 'auth' }, h('legend', {}, 'Log in with'), radio('password', 'Password', true), radio('savedKey', 'A saved key', false), password, savedKey);
  set.addEventListener('change', e => {
    if (e.target.name !== group) return;
    password.hidden = e.target.value !== 'password';
    savedKey.hidden = e.target.value !== 'savedKey';
  });
  return set;
}

function destinationSets(keys) {
  return Object.entries(DESTINATION_FIELDS).map(([type, fields]) => {
    const set = h('div', { 'data-type': type, hidden: type !== 'aws' || null },
      fields.map(([name, label, kind, required, rule, help, value]) => (name === 'auth' ? sftpAuth(keys)
        : field({ path: `destination.${name}`, label, type: kind, required, rule, help, value }))));
    if (type === 'aws') set.append(h('p', { class: 'help' }, 'The file is kept for 30 days and downloaded from the job\u2019s page.'));
    return set;
  });
}

export async function newExportPage(main) {
  document.title = 'New export · Audience Trends';
  let keys = [];
  try { ({ data: keys } = await api('GET', '/v2/sftpkeys')); } catch (e) { if (e instanceof ApiError && e.status === 401) throw e; }
  let idempotencyKey = crypto.randomUUID();

  const type = field({ path: 'destination.type', label: 'Destination', type: 'select', options: TYPES, value: 'aws', required: true });
  const sets = destinationSets(keys);
  const steps = h('div', { id: 'test-result', 'aria-live': 'polite' });
  const chart = h('div', { id: 'preview', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'new-h' },
    h('h1', { id: 'new-h' }, 'New export'),
    h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
    h('fieldset', {}, h('legend', {}, 'File'),
      field({ path: 'name', label: 'File name', required: true, rule: 'name', help: 'Letters, digits and dashes: it becomes the file name.', value: 'audiencetrends' }),
      field({ path: 'exportType', label: 'Format', type: 'select', options: [['csv', 'CSV'], ['jsonl', 'JSON Lines'], ['parquet', 'Parquet']], value: 'csv' }),
      field({ path: 'layout', label: 'Layout', type: 'select', value: '', help: 'Wide: a row per audience, a column per day. Long: a row per audience and day.',
        options: [['', 'The format\u2019s default (wide for CSV, long otherwise)'], ['wide', 'Wide'], ['long', 'Long']] }),
      field({ path: 'compression', label: 'Compression', type: 'select', options: [['none', 'None'], ['gzip', 'gzip (.csv.gz)']], value: 'none' })),
    h('fieldset', {}, h('legend', {}, 'Data'),
      field({ path: 'audiences', label: 'Audiences', type: 'textarea', required: true, help: 'One audience name per line.' }),
      h('div', { class: 'row' },
        field({ path: 'selected_timeframe_start', label: 'First day', required: true, rule: 'date', help: 'yyyy-MM-dd', attrs: { inputmode: 'numeric' } }),
        field({ path: 'selected_timeframe_end', label: 'Last day', required: true, rule: 'date', help: 'yyyy-MM-dd', attrs: { inputmode: 'numeric' } })),
      h('button', { type: 'button', id: 'preview-button', onclick: () => preview() }, 'Preview trend'), chart),
    h('fieldset', {}, h('legend', {}, 'Destination'), type, ...sets,
      h('button', { type: 'button', id: 'test-button', onclick: () => testDestination() }, 'Test destination'), steps),
    h('fieldset', {}, h('legend', {}, 'Webhook (optional)'),
      field({ path: 'webhook.url', label: 'Webhook URL', rule: 'url', help: 'Called once the job ends; https.' }),
      field({ path: 'webhook.secret', label: 'Webhook secret', type: 'password', rule: 'secret', help: 'whsec_ followed by base64 of 24 to 64 random bytes.' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create export'), h('a', { href: '/ui/jobs', class: 'button-link' }, 'Back to jobs')));
  main.append(form);

  const typeSelect = type.querySelector('select');
  const showType = () => {
    for (const set of sets) {
      const on = set.dataset.type === typeSelect.value;
      set.hidden = !on;
      for (const c of set.querySelectorAll('input, select, textarea')) c.disabled = !on;
    }
  };
  typeSelect.addEventListener('change', showType);
  showType();

  const audiences = () => (valueOf(form, 'audiences') ?? '').split('\n').map(a => a.trim()).filter(a => a);

  const destination = () => {
    const d = { type: typeSelect.value };
    for (const c of form.querySelectorAll('[data-path^="destination."]')) {
      if (c.disabled || c.closest('[hidden]') || c.dataset.path === 'destination.type') continue;
      const key = c.dataset.path.slice('destination.'.length);
      if (c.type === 'checkbox') { if (c.checked) d[key] = true; } else if (c.value.trim() !== '') d[key] = key === 'port' ? Number(c.value.trim()) : c.value.trim();
    }
    return d;
  };

  const checkDestination = errors => {
    for (const c of form.querySelectorAll('[data-path^="destination."]')) {
      if (c.disabled || c.closest('[hidden]') || c.type === 'checkbox') continue;
      const problems = checkField(c.dataset.path, c.value.trim(), { required: c.required, rule: c.dataset.rule });
      if (problems.length) errors[c.dataset.path] = problems;
    }
    if (typeSelect.value === 'sftp' && !valueOf(form, 'destination.password') && !valueOf(form, 'destination.savedKey')) {
      errors['destination.password'] = ['SFTP needs destination.password or destination.savedKey (the name of a key held by the service): give exactly one of them.'];
    }
  };

  const body = () => {
    const b = { name: valueOf(form, 'name'), exportType: valueOf(form, 'exportType'), destination: destination(),
      selected_timeframe_start: valueOf(form, 'selected_timeframe_start'), selected_timeframe_end: valueOf(form, 'selected_timeframe_end'), audiences: audiences() };
    // The defaults are left out, so the body is the reference page's own.
    if (valueOf(form, 'layout')) b.layout = valueOf(form, 'layout');
    if (valueOf(form, 'compression') !== 'none') b.compression = valueOf(form, 'compression');
    const url = valueOf(form, 'webhook.url');
    const secret = valueOf(form, 'webhook.secret');
    if (url || secret) b.webhook = { url, secret };
    return b;
  };

  const check = b => {
    const errors = {};
    const add = (path, problems) => { if (problems.length) errors[path] = problems; };
    add('name', checkField('name', b.name, { required: true, rule: 'name' }));
    Object.assign(errors, checkFile(b.exportType, b.layout, b.compression));
    Object.assign(errors, checkAudiences(b.audiences));
    checkTimeframe(b.selected_timeframe_start, b.selected_timeframe_end, errors);
    checkDestination(errors);
    if (b.webhook) {
      add('webhook.url', checkField('webhook.url', b.webhook.url, { required: true, rule: 'url' }));
      add('webhook.secret', checkField('webhook.secret', b.webhook.secret, { required: true, rule: 'secret' }));
    }
    return errors;
  };

  form.addEventListener('submit', async e => {
    e.preventDefault();
    clearErrors(form);
    const b = body();
    const errors = check(b);
    if (Object.keys(errors).length) { showErrors(form, errors, 'Check these fields'); return; }
    try {
      const { data } = await api('POST', '/v2/audiencetrendsexport', { body: b, headers: { 'Idempotency-Key': idempotencyKey } });
      idempotencyKey = crypto.randomUUID();
      announce(`Export ${data.name} created.`);
      go(`/ui/jobs/${encodeURIComponent(data.jobId)}`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      showErrors(form, Object.keys(err.errors).length ? err.errors : { $: [err.message] }, err.status === 400 ? 'The service refused the export' : err.problem.title ?? 'The export was not created');
    }
  });

  async function testDestination() {
    clearErrors(form);
    const errors = {};
    checkDestination(errors);
    clear(steps);
    if (Object.keys(errors).length) { showErrors(form, errors, 'Check the destination'); return; }
    steps.append(h('p', {}, 'Testing…'));
    try {
      const { data } = await api('POST', '/v2/destinations/test', { body: { destination: destination() } });
      replace(steps, h('h3', {}, data.ok ? 'The destination works' : 'The destination test failed'),
        h('ol', { class: 'steps' }, data.steps.map(s => h('li', { class: s.ok ? 'ok' : 'failed' },
          h('strong', {}, s.name), `: ${s.ok ? 'passed' : 'failed'} (${s.ms} ms)`, s.detail ? ` — ${s.detail}` : ''))));
    } catch (err) {
      clear(steps);
      if (!(err instanceof ApiError)) throw err;
      showErrors(form, Object.keys(err.errors).length ? err.errors : { $: [err.message] }, 'The destination was not tested');
    }
  }

  async function preview() {
    clearErrors(form);
    const b = body();
    const errors = checkAudiences(b.audiences);
    checkTimeframe(b.selected_timeframe_start, b.selected_timeframe_end, errors);
    clear(chart);
    if (Object.keys(errors).length) { showErrors(form, errors, 'Check the audiences and days'); return; }
    try {
      const { data } = await api('GET', `/v2/audiencetrends${query({ audiences: b.audiences, start: b.selected_timeframe_start, end: b.selected_timeframe_end })}`);
      chart.append(lineChart(data));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const mapped = {};
      for (const [k, v] of Object.entries(err.errors)) mapped[k.replace(/^start$/, 'selected_timeframe_start').replace(/^end$/, 'selected_timeframe_end')] = v;
      showErrors(form, Object.keys(mapped).length ? mapped : { $: [err.message] }, 'No preview');
    }
  }

  controlFor(form, 'name').focus();
}
