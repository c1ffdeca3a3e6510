// DOM helpers. Every value is added as text (text nodes, textContent, attributes): never parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return append(el, children);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function when(iso) {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

export function timeEl(iso) {
  return iso ? h('time', { datetime: iso }, when(iso)) : h('span', { 'aria-label': 'not yet' }, '—');
}

export function bytes(n) {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n, i = -1;
  do { v /= 1024; i++; } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(1)} ${units[i]} (${n.toLocaleString()} bytes)`;
}

// A status as a word and a symbol, never colour alone.
const symbols = { Pending: '○', Processing: '◔', Done: '✓', Failed: '✕', Cancelled: '⊘', Active: '▶', Paused: '❚❚', Suspended: '!' };
export function statusBadge(status) {
  return h('span', { class: `status status-${String(status).toLowerCase()}` },
    h('span', { 'aria-hidden': 'true' }, symbols[status] ?? '•'), ' ', status);
}

// A confirmation as a modal <dialog>: resolves true when the user confirms.
export function confirmDialog(question, confirmLabel) {
  return new Promise(resolve => {
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-question' },
      h('p', { id: 'confirm-question' }, question));
    const done = value => { dialog.close(); dialog.remove(); resolve(value); };
    dialog.append(h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'danger', onclick: () => done(true) }, confirmLabel),
      h('button', { type: 'button', onclick: () => done(false) }, 'Keep it')));
    dialog.addEventListener('cancel', e => { e.preventDefault(); done(false); });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('button:last-child').focus();
  });
}

// A message in the page's live region (read by screen readers).
export function announce(text) {
  const region = document.getElementById('announcer');
  if (region) region.textContent = text;
}

// Empties el and adds children (skipping null, false and undefined, which Element.append would print).
export function replace(el, ...children) {
  return append(clear(el), children);
}
