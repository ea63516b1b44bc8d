// DOM building blocks: elements without innerHTML (so no markup injection and nothing the CSP forbids), notices,
// the confirmation dialog, tables and formatting.

/** An element: attrs may hold class, text, on<event> handlers and plain attributes; null/false children are skipped. */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** An SVG element, same conventions as h(). */
export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);
}

function fill(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name === 'text') {
      element.textContent = String(value);
    } else if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return element;
}

let noticeTimer;

/** A short message in the page's live region (read out by screen readers); errors stay until the next message. */
export function notice(message, kind = 'ok') {
  const box = document.getElementById('notice');
  box.textContent = message;
  box.className = kind;
  box.hidden = false;
  clearTimeout(noticeTimer);
  if (kind === 'ok') {
    noticeTimer = setTimeout(() => { box.hidden = true; }, 4000);
  }
}

/** Hides the notice, e.g. a refusal that no longer holds. */
export function clearNotice() {
  clearTimeout(noticeTimer);
  document.getElementById('notice').hidden = true;
}

/** Asks before a destructive action; Escape or Cancel answers false. */
export function confirmAction(message, confirmLabel = 'Delete') {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = message;
  document.getElementById('confirm-ok').textContent = confirmLabel;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
  });
}

/**
 * A failed action as an error notice; not when the session ended, since the login form then says so and a notice
 * about authentication would stay above it (and after logging in again).
 */
export function reportError(error) {
  if (!error.signedOut) {
    notice(error.message, 'error');
  }
}

/** Runs an action from a button (or any control): disabled meanwhile, and a failure becomes an error notice. */
export async function run(button, action) {
  button.disabled = true;
  try {
    return await action();
  } catch (error) {
    reportError(error);
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/**
 * A table: columns are {label, cell(row) → node or text}. At phone width the stylesheet stacks each row into a card whose
 * cells carry their column's label (data-label); the explicit roles keep it a table for screen readers, which drop the
 * table semantics of rows and cells laid out as blocks.
 */
export function table(columns, rows, empty = 'Nothing yet.') {
  if (rows.length === 0) {
    return h('p', { class: 'empty', text: empty });
  }
  return h('div', { class: 'table-wrap' },
    h('table', { role: 'table' },
      h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, columns.map((column) => h('th', { scope: 'col', role: 'columnheader', text: column.label })))),
      h('tbody', { role: 'rowgroup' }, rows.map((row) => h('tr', { role: 'row' },
        columns.map((column) => h('td', { role: 'cell', 'data-label': column.label }, column.cell(row))))))));
}

/**
 * Puts the focus on the enabled button of root labelled label, else on fallback: an action that re-draws a list replaces
 * the button it was started from, and the focus would otherwise fall back to the page's top.
 */
export function focusButton(root, label, fallback) {
  const again = [...root.querySelectorAll('button')].find((candidate) => candidate.getAttribute('aria-label') === label && !candidate.disabled);
  (again || fallback)?.focus();
}

export function button(label, onclick, kind = 'secondary', attrs = {}) {
  return h('button', { type: 'button', class: kind, onclick, ...attrs, text: label });
}

/** A button that copies text to the clipboard; name: its accessible name, where several Copy buttons share a view. */
export function copyButton(text, label = 'Copy', name = undefined) {
  return button(label, async () => {
    await navigator.clipboard.writeText(typeof text === 'function' ? text() : text);
    notice('Copied to the clipboard.');
  }, 'secondary', { 'aria-label': name });
}

export function badge(text, kind) {
  return h('span', { class: `badge ${kind}`, text });
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function num(value) {
  return value === null || value === undefined ? '—' : Number(value).toLocaleString();
}

/**
 * Shows a panel (a detail view, a key pool, a key shown once) in its slot and moves the focus there: the slot sits
 * above a list that may be long, and a panel opened from a row far down would otherwise appear out of sight.
 */
export function showPanel(slot, panel) {
  slot.replaceChildren(panel);
  panel.tabIndex = -1;
  panel.focus();
}

export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', { text: title }), children);
}
