// Saved SFTP keys: list, create (copy the public key), delete.
import { h, replace, timeEl, confirmDialog, announce } from './dom.js';
import { api, ApiError } from './api.js';
import { field, clearErrors, showErrors, valueOf } from './form.js';

export async function keysPage(main) {
  document.title = 'SFTP keys · Audience Trends';
  const body = h('tbody');
  const created = h('div', { id: 'created-key', 'aria-live': 'polite' });
  const status = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'key-new-h' },
    h('h2', { id: 'key-new-h' }, 'Create a key'),
    h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
    field({ path: 'name', label: 'Key name', required: true, help: '1 to 64 letters, digits or dashes.' }),
    field({ path: 'hosts', label: 'Hosts it may log in to', required: true, help: 'Host names or IP addresses, separated by commas or spaces (at most 10).' }),
    h('button', { type: 'submit', class: 'primary' }, 'Create key'));
  main.append(h('h1', {}, 'SFTP keys'),
    h('p', {}, 'The service keeps each private key; give the public key to the SFTP server\u2019s administrator, then name the key as savedKey in an SFTP destination.'),
    form, created, status,
    h('table', {}, h('caption', {}, 'Saved keys'),
      h('thead', {}, h('tr', {}, ['Name', 'Fingerprint', 'Hosts', 'Created', 'Actions'].map(c => h('th', { scope: 'col' }, c)))), body));

  const copyButton = (text, label) => h('button', { type: 'button', onclick: async e => {
    try { await navigator.clipboard.writeText(text); announce('Public key copied.'); e.target.textContent = 'Copied'; } catch { announce('Copy failed: select the key text and copy it.'); }
  } }, label);

  const load = async () => {
    const { data } = await api('GET', '/v2/sftpkeys');
    replace(body, ...data.map(k => h('tr', {},
      h('td', {}, k.name), h('td', {}, h('code', {}, k.fingerprint)), h('td', {}, (k.hosts ?? []).join(', ')), h('td', {}, timeEl(k.created)),
      h('td', {}, copyButton(k.publicKey, 'Copy public key'), ' ',
        k.readOnly ? h('span', { class: 'muted' }, 'Set by operators') : h('button', { type: 'button', class: 'danger', 'aria-label': `Delete key ${k.name}`, onclick: () => remove(k.name) }, 'Delete')))));
    if (!data.length) body.append(h('tr', {}, h('td', { colspan: 5 }, 'No saved keys yet.')));
  };

  async function remove(name) {
    if (!await confirmDialog(`Delete the key "${name}"? Destinations that name it stop working.`, 'Delete key')) return;
    status.textContent = '';
    try {
      await api('DELETE', `/v2/sftpkeys/${encodeURIComponent(name)}`);
      announce(`Key ${name} deleted.`);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      status.textContent = e.message;
    }
    await load();
  }

  form.addEventListener('submit', async e => {
    e.preventDefault();
    clearErrors(form);
    const name = valueOf(form, 'name');
    const hosts = valueOf(form, 'hosts').split(/[\s,]+/).filter(x => x);
    const errors = {};
    if (!name) errors.name = ['name is required.'];
    else if (name.length > 64 || /[^A-Za-z0-9-]/.test(name)) errors.name = ['name must be 1 to 64 letters (A-Z, a-z), digits or dashes.'];
    if (hosts.length === 0 || hosts.length > 10) errors.hosts = ['hosts must be an array of 1 to 10 host names or IP addresses the key may log in to.'];
    if (Object.keys(errors).length) { showErrors(form, errors, 'Check these fields'); return; }
    try {
      const { data } = await api('POST', '/v2/sftpkeys', { body: { name, hosts } });
      form.reset();
      replace(created, h('div', { class: 'card' }, h('h2', {}, `Key ${data.name} created`),
        h('label', { for: 'public-key' }, 'Public key (give it to the server\u2019s administrator)'),
        h('textarea', { id: 'public-key', readonly: true, rows: 3 }, data.publicKey), copyButton(data.publicKey, 'Copy public key')));
      await load();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      showErrors(form, Object.keys(err.errors).length ? err.errors : { $: [err.message] }, 'The key was not created');
    }
  });

  await load();
}
