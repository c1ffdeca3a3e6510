// Form fields bound to JSON paths, with their error messages next to them (client checks and server problem+json).
import { h, clear, replace } from './dom.js';

let counter = 0;

// A labelled control; data-path names its JSON path so errors find it. Returns the wrapper.
export function field({ path, label, type = 'text', required = false, help, options, value, rule, attrs = {} }) {
  const id = `f${++counter}-${path.replace(/[^A-Za-z0-9]/g, '-')}`;
  const described = [help ? `${id}-help` : null, `${id}-error`].filter(Boolean).join(' ');
  const common = { id, name: path, 'data-path': path, 'data-rule': rule, 'aria-describedby': described, required: required || null, ...attrs };
  let control;
  if (type === 'select') control = h('select', common, options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
  else if (type === 'textarea') control = h('textarea', { ...common, rows: 4 }, value ?? '');
  else if (type === 'checkbox') control = h('input', { ...common, type, checked: value || null });
  else control = h('input', { ...common, type, value: value ?? '', autocomplete: type === 'password' ? 'new-password' : 'off', spellcheck: 'false' });
  const labelEl = h('label', { for: id }, label, required ? h('span', { class: 'req' }, ' (required)') : null);
  return h('div', { class: type === 'checkbox' ? 'field check' : 'field' },
    type === 'checkbox' ? [control, labelEl] : [labelEl, control],
    help ? h('p', { class: 'help', id: `${id}-help` }, help) : null,
    h('p', { class: 'field-error', id: `${id}-error` }));
}

// The enabled control for a JSON path (audiences[3] is the audiences box).
export function controlFor(form, path) {
  const base = path.replace(/\[\d+\]$/, '');
  for (const p of [path, base]) {
    const el = [...form.querySelectorAll('[data-path]')].find(c => c.dataset.path === p && !c.disabled && !c.closest('[hidden]'));
    if (el) return el;
  }
  return null;
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  const summary = form.querySelector('.error-summary');
  if (summary) clear(summary).hidden = true;
}

// Shows each message next to its field; what has no field goes to the summary. Focuses the first field in error.
export function showErrors(form, errors, heading) {
  const summary = form.querySelector('.error-summary');
  const list = h('ul');
  let first = null;
  for (const [path, messages] of Object.entries(errors)) {
    const control = controlFor(form, path);
    for (const message of messages) {
      list.append(h('li', {}, message));
      if (control) {
        const slot = document.getElementById(`${control.id}-error`);
        slot.append(slot.textContent ? ' ' : '', message);
        control.setAttribute('aria-invalid', 'true');
      }
    }
    first ??= control;
  }
  if (summary) {
    replace(summary, h('h2', {}, heading), list);
    summary.hidden = false;
  }
  (first ?? summary)?.focus();
}

export function valueOf(form, path) {
  const el = controlFor(form, path);
  if (!el) return undefined;
  return el.type === 'checkbox' ? el.checked : el.value.trim();
}
