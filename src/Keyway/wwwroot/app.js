// The shell: login, the navigation, the group picker and a hash router over the pages in pages/.
import { get, post } from './api.js';
import { clearNotice, h, notice, run } from './dom.js';
import { entityForm } from './form.js';
import * as dashboard from './pages/dashboard.js';
import * as groups from './pages/groups.js';
import * as providers from './pages/providers.js';
import * as routes from './pages/routes.js';
import * as keys from './pages/keys.js';
import * as tools from './pages/tools.js';
import * as logs from './pages/logs.js';
import * as e2e from './pages/e2e.js';
import * as connect from './pages/connect.js';

const PAGES = {
  dashboard: { title: 'Dashboard', page: dashboard },
  groups: { title: 'Groups', page: groups },
  providers: { title: 'Providers', page: providers },
  routes: { title: 'Routes', page: routes },
  keys: { title: 'Keys', page: keys },
  tools: { title: 'Tools', page: tools },
  logs: { title: 'Logs', page: logs },
  e2e: { title: 'E2E', page: e2e },
  connect: { title: 'Connect', page: connect },
};

const main = document.getElementById('main');
const groupSelect = document.getElementById('group');
const ctx = {
  group: localStorage.getItem('keyway.group') || 'default',
  groups: [],
  reloadGroups,
};
let cleanup = null;

async function reloadGroups() {
  ctx.groups = (await get('/admin/llm/groups')).groups;
  if (!ctx.groups.some((group) => group.group_id === ctx.group)) {
    ctx.group = ctx.groups[0]?.group_id ?? 'default';
  }
  groupSelect.replaceChildren(...ctx.groups.map((group) => h('option', { value: group.group_id, text: `${group.name} (${group.group_id})` })));
  groupSelect.value = ctx.group;
}

function currentPage() {
  const name = location.hash.replace(/^#\/?/, '');
  return PAGES[name] ? name : 'dashboard';
}

async function show() {
  cleanup?.();
  cleanup = null;
  const name = currentPage();
  const { title, page } = PAGES[name];
  document.title = `${title} · Keyway admin`;
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.page === name) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  const container = h('div', { class: 'page', 'data-page': name });
  main.replaceChildren(h('h1', { text: title }), container);
  try {
    cleanup = (await page.render(container, ctx)) ?? null;
  } catch (error) {
    container.append(h('p', { class: 'form-error', role: 'alert', text: error.message }));
  }
}

function showLogin(message) {
  cleanup?.();
  cleanup = null;
  document.getElementById('top').hidden = true;
  document.title = 'Log in · Keyway admin';
  const form = entityForm({
    title: 'Log in',
    fields: [{ name: 'token', label: 'Admin token', type: 'password', required: true, help: 'KEYWAY_ADMIN_TOKEN, or data/admin.token.' }],
    submitLabel: 'Log in',
    onSubmit: async ({ token }) => {
      await post('/admin/login', { token });
      // A wrong token tried before is no longer the news: its notice would stay above every page.
      clearNotice();
      await start();
    },
  });
  main.replaceChildren(h('div', { class: 'login' }, h('h1', { text: 'Keyway admin' }), message ? h('p', { class: 'form-error', text: message }) : null, form));
  form.querySelector('input').focus();
}

async function start() {
  document.getElementById('top').hidden = false;
  await reloadGroups();
  await show();
  main.focus();
}

function buildNav() {
  document.getElementById('nav').replaceChildren(h('ul', {}, Object.entries(PAGES).map(([name, { title }]) =>
    h('li', {}, h('a', { href: `#/${name}`, 'data-page': name, text: title })))));
}

groupSelect.addEventListener('change', () => {
  ctx.group = groupSelect.value;
  localStorage.setItem('keyway.group', ctx.group);
  show();
});
document.getElementById('logout').addEventListener('click', (event) => run(event.currentTarget, async () => {
  await post('/admin/logout');
  showLogin();
  notice('Logged out.');
}));
window.addEventListener('hashchange', () => {
  if (!document.getElementById('top').hidden) {
    show();
  }
});
window.addEventListener('keyway:signed-out', () => showLogin('Your session ended: log in again.'));

buildNav();
get('/admin/session').then(start, () => showLogin());
