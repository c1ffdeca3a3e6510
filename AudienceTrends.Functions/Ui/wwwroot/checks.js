// Client-side checks that mirror the server's (AudienceTrends.Core Requests and Destinations): same rules, same words,
// keyed by the same JSON paths. The server stays the judge: its problem+json errors are shown the same way.
export const MAX_TIMEFRAME_DAYS = 366;
export const MAX_AUDIENCES = 1000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function validDate(text) {
  if (!DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

export function dayCount(first, last) {
  return Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86400000) + 1;
}

const rules = {
  name: v => (v.length > 100 ? 'must be at most 100 characters long.'
    : /[^A-Za-z0-9-]/.test(v) ? 'may only contain letters (A-Z, a-z), digits and dashes: it becomes the file name.' : null),
  date: v => (validDate(v) ? null : 'must be a date written as yyyy-MM-dd, such as 2021-08-17.'),
  port: v => (/^\d+$/.test(v.trim()) && +v >= 1 && +v <= 65535 ? null : 'must be a whole number between 1 and 65535, given as a number or a numeric string.'),
  server: v => (v.includes('://') ? 'must be a host name or IP address without a scheme: leave out "sftp://" or "ftp://".'
    : v.includes('/') ? 'must be a host name or IP address without a path: put the folder in destination.path.'
    : /\s/.test(v) ? 'must not contain spaces or control characters.' : null),
  bucket: v => (v.length < 3 || v.length > 222 || /[^A-Za-z0-9._-]/.test(v) ? 'must be a bucket name: 3 to 222 letters, digits, dots, dashes or underscores.' : null),
  region: v => (v.length < 2 || v.length > 32 || /[^a-z0-9-]/.test(v) ? 'must be an AWS region name such as us-west-2 (lower-case letters, digits and dashes).' : null),
  savedKey: v => (v.length > 127 || /[^A-Za-z0-9_-]/.test(v) ? 'must be the name of a key held by the service: 1 to 127 letters, digits, dashes or underscores.' : null),
  fingerprint: v => (/^SHA256:[A-Za-z0-9+/]{43}$/.test(v) ? null : 'must be "SHA256:" followed by 43 base64 characters without padding, as "ssh-keygen -lf <key> -E sha256" prints it.'),
  path: v => (v.includes('\\') ? 'must separate folders with "/", not "\\".' : /(^|\/)\.\.(\/|$)/.test(v) ? 'must not contain a ".." segment.' : null),
  url: v => { try { const u = new URL(v); return /^https?:$/.test(u.protocol) && !u.username && !u.password && !u.hash ? null : 'x'; } catch { return 'x'; } },
  secret: v => (/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(v) ? null : 'must be "whsec_" followed by the base64 of a random key of 24 to 64 bytes.'),
  containerUrl: v => (/^https?:\/\/[^/?#]+\/[^?#]+$/.test(v) ? null : 'must be the container\u2019s URL, such as https://myaccount.blob.core.windows.net/exports (https, no query string: the SAS goes in sas_token).'),
  sas: v => (/(^|[?&])sig=/.test(v) && !/\s/.test(v) ? null : 'must be a container SAS token (the query string with sv=...&sig=..., at most 2048 characters).'),
};

const URL_PROBLEM = 'must be an absolute https URL of at most 2048 characters, without user name, password or fragment, such as https://example.com/hooks/audiencetrends.';

// Problems of one field, as the server words them: "<path> <problem>".
export function checkField(path, value, { required, rule }) {
  if (value === '' || value === undefined) return required ? [`${path} is required.`] : [];
  const problem = rule && rules[rule]?.(value);
  if (!problem) return [];
  return [`${path} ${rule === 'url' ? URL_PROBLEM : problem}`];
}

export function checkAudiences(list) {
  if (list.length === 0) return { audiences: ['audiences must name at least one audience.'] };
  if (list.length > MAX_AUDIENCES) return { audiences: [`audiences names ${list.length} audiences; at most ${MAX_AUDIENCES} can be exported at once.`] };
  const errors = {};
  const first = new Map();
  list.forEach((a, i) => {
    const path = `audiences[${i}]`;
    const problem = !a.trim() ? 'must not be blank.' : a.length > 200 ? 'must be at most 200 characters long.'
      : first.has(a) ? `duplicates audiences[${first.get(a)}]: name each audience once.` : null;
    if (problem) errors[path] = [`${path} ${problem}`];
    else first.set(a, i);
  });
  return errors;
}

export function checkTimeframe(start, end, errors) {
  const s = checkField('selected_timeframe_start', start, { required: true, rule: 'date' });
  const e = checkField('selected_timeframe_end', end, { required: true, rule: 'date' });
  if (s.length) errors.selected_timeframe_start = s;
  if (e.length) errors.selected_timeframe_end = e;
  if (s.length || e.length) return;
  if (start > end) errors.selected_timeframe_end = ['selected_timeframe_end must not be before selected_timeframe_start.'];
  else if (dayCount(start, end) > MAX_TIMEFRAME_DAYS) {
    errors.selected_timeframe_end = [`The timeframe from selected_timeframe_start to selected_timeframe_end covers ${dayCount(start, end)} days; at most ${MAX_TIMEFRAME_DAYS} days (both ends counted) can be exported at once.`];
  }
}

// The file fields' combinations the server refuses (Core/Export/Formats/ExportLayout), under the field that cannot be honoured.
export function checkFile(exportType, layout, compression) {
  const errors = {};
  const chosen = layout || (exportType === 'csv' ? 'wide' : 'long');
  if (exportType === 'parquet' && chosen === 'wide') {
    errors.layout = ["layout must be \"long\" for parquet: a column per day would change the table's schema with every timeframe."];
  }
  if (exportType === 'parquet' && compression === 'gzip') {
    errors.compression = ['compression must be "none" for parquet: a Parquet file compresses its own columns, and a gzipped one no reader loads as it is.'];
  }
  return errors;
}
