// The Jobs page: a small router over /ui/... paths, sign-in, and the pages' modules.
import { h, clear } from './dom.js';
import { api, session, whenUnauthorized, ApiError } from './api.js';
import { jobsPage, jobPage } from './jobs.js';
import { newExportPage } from './new-export.js';
import { keysPage } from './keys.js';
import { schedulesPage, schedulePage } from './schedules.js';

import { go, leave, setRenderer } from './nav.js';

const main = document.getElementById('main');

function routes(path) {
  const p = path.replace(/^\/ui\/?/, '').replace(/\/$/, '');
  let m;
  if (p === '' || p === 'jobs') return ['jobs', () => jobsPage(main)];
  if ((m = p.match(/^jobs\/([^/]+)$/))) return ['jobs', () => jobPage(main, decodeURIComponent(m[1]))];
  if (p === 'new') return ['new', () => newExportPage(main)];
  if (p === 'keys') return ['keys', () => keysPage(main)];
  if (p === 'schedules') return ['schedules', () => schedulesPage(main)];
  if ((m = p.match(/^schedules\/([^/]+)$/))) return ['schedules', () => schedulePage(main, decodeURIComponent(m[1]))];
  return ['', () => main.append(h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '/ui/jobs' }, 'Go to the jobs')))];
}

async function render() {
  leave();
  clear(main);
  const nav = document.getElementById('nav');
  if (!session.key) {
    nav.hidden = true;
    signInPage();
    return;
  }
  nav.hidden = false;
  const [section, page] = routes(location.pathname);
  for (const a of nav.querySelectorAll('a[data-nav]')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  try {
    await page();
  } catch (e) {
    main.append(h('p', { class: 'error', role: 'alert' }, e instanceof ApiError ? e.message : `Something went wrong: ${e.message}`));
  }
}

function signInPage(message) {
  document.title = 'Sign in · Audience Trends';
  const error = h('p', { class: 'field-error', id: 'key-error' }, message ?? '');
  const input = h('input', { id: 'api-key', name: 'apiKey', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'key-help key-error', spellcheck: 'false' });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', {}, 'Sign in'),
    h('p', { id: 'key-help' }, 'Your account\u2019s API key (atk_...). It is kept in this browser tab only, until you sign out or close the tab.'),
    h('label', { for: 'api-key' }, 'API key'), input, error,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) { error.textContent = 'Enter your API key.'; input.focus(); return; }
    try {
      await api('GET', '/v2/jobs?limit=1', { key });
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 401
        ? 'That key was not accepted: check it, or ask your operator whether it was revoked.'
        : `Could not sign in: ${err.message}`;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    session.signIn(key);
    render();
  });
  main.append(form);
  input.focus();
}

whenUnauthorized(() => {
  session.signOut();
  render().then(() => {
    const error = document.getElementById('key-error');
    if (error) error.textContent = 'Your key stopped working (revoked or expired): sign in again.';
  });
});

document.getElementById('sign-out').addEventListener('click', () => {
  session.signOut();
  go('/ui/jobs');
});

// Links inside the app navigate without reloading the page.
document.addEventListener('click', e => {
  const a = e.target.closest('a[href^="/ui/"]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0 || a.hasAttribute('download')) return;
  e.preventDefault();
  go(a.getAttribute('href'));
});
setRenderer(render);
window.addEventListener('popstate', render);
render();
