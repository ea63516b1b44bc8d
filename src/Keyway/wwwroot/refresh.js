// An opt-in auto-refresh: a checkbox remembered in localStorage, and a timer that runs only while the tab is shown (a
// hidden tab would keep calling the admin API for nobody) and catches up at once when the tab is shown again.
import { h } from './dom.js';

/**
 * id/label: the checkbox's; storageKey: where its state is remembered; refresh(): the page's reload, which must not
 * throw. Returns the control (checkbox and label) and stop(), for the page's cleanup.
 */
export function autoRefresh({ id, label, storageKey, intervalMs, refresh }) {
  const box = h('input', { type: 'checkbox', id });
  box.checked = localStorage.getItem(storageKey) === 'on';
  let timer = null;
  const schedule = () => {
    clearInterval(timer);
    timer = box.checked && !document.hidden ? setInterval(refresh, intervalMs) : null;
  };
  const shownOrHidden = () => {
    if (box.checked && !document.hidden) {
      refresh();
    }
    schedule();
  };
  box.addEventListener('change', () => {
    localStorage.setItem(storageKey, box.checked ? 'on' : 'off');
    schedule();
  });
  document.addEventListener('visibilitychange', shownOrHidden);
  schedule();
  return {
    control: h('div', { class: 'field check' }, box, h('label', { for: id, text: label })),
    stop: () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', shownOrHidden);
    },
  };
}
