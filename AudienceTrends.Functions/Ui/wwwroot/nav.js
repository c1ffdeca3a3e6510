// Navigation inside the app (history API), and what a page stops when the user leaves it.
let renderer = () => {};
let cleanup = [];

export function setRenderer(fn) { renderer = fn; }

export function go(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  return renderer();
}

export function onLeave(fn) { cleanup.push(fn); }

export function leave() {
  cleanup.forEach(fn => fn());
  cleanup = [];
}
