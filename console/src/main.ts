/**
 * The console's shell: sign-in (a pasted search token, kept in sessionStorage), the header
 * (tenant, Search / Reports, language, sign out) and the current screen. The search function's
 * base URL comes from config.json beside the page (`""`: this origin, as in `make dev`).
 */
import { ApiClient } from '../../shared/client/api-client.js';
import type { ViewContext } from './context.js';
import { h } from './dom.js';
import { format, initialLang, LANGS, type Lang, type MessageKey } from './i18n.js';
import { mountReports, resetReports } from './reports-view.js';
import { mountSearch, resetSearch } from './search-view.js';
import { checkToken, session } from './session.js';

const LANG_KEY = 'oplake.lang';

interface Shell {
  apiUrl: string;
  lang: Lang;
  view: 'search' | 'reports';
  notice: MessageKey | null;
  notTokenScope: string;
}

const shell: Shell = {
  apiUrl: '',
  lang: initialLang(localStorage.getItem(LANG_KEY), navigator.languages),
  view: 'search',
  notice: null,
  notTokenScope: '',
};

const app = document.getElementById('app') ?? document.body;
const t = (key: MessageKey, values?: Record<string, string | number>) => format(shell.lang, key, values);

function setLang(lang: Lang): void {
  shell.lang = lang;
  localStorage.setItem(LANG_KEY, lang);
  render();
}

function signOut(notice: MessageKey): void {
  session.clear(sessionStorage);
  resetSearch();
  resetReports();
  shell.notice = notice;
  shell.view = 'search';
  render();
}

function langSelect(): HTMLElement {
  return h(
    'label',
    { class: 'lang' },
    h('span', {}, t('language')),
    h(
      'select',
      { id: 'lang', onchange: (e) => setLang((e.target as HTMLSelectElement).value === 'ja' ? 'ja' : 'en') },
      LANGS.map((l) =>
        h('option', { value: l, selected: l === shell.lang }, l === 'ja' ? '日本語' : 'English'),
      ),
    ),
  );
}

function renderSignIn(): void {
  const input = h('textarea', {
    id: 'token',
    rows: 4,
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const problem = shell.notice
    ? h(
        'p',
        { class: shell.notice === 'signedOut' ? 'notice' : 'error', role: 'alert' },
        t(shell.notice, { scope: shell.notTokenScope }),
      )
    : null;
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: (e) => {
        e.preventDefault();
        const token = input.value.trim();
        const check = checkToken(token, Date.now());
        if (!check.ok) {
          shell.notice =
            check.reason === 'malformed'
              ? 'tokenMalformed'
              : check.reason === 'expired'
                ? 'tokenExpired'
                : 'tokenNotSearch';
          shell.notTokenScope = check.scope ?? '';
          render();
          return;
        }
        session.set(sessionStorage, token);
        shell.notice = null;
        render();
      },
    },
    h('h1', {}, t('signInTitle')),
    h('p', {}, t('signInHelp')),
    problem,
    h('label', { for: 'token' }, t('tokenLabel')),
    input,
    h('button', { type: 'submit', class: 'primary' }, t('signIn')),
  );
  app.replaceChildren(
    h('header', { class: 'top' }, h('span', { class: 'brand' }, t('appTitle')), langSelect()),
    h('main', {}, form),
  );
  input.focus();
}

function render(): void {
  document.documentElement.lang = shell.lang;
  document.title = t('appTitle');
  const token = session.get(sessionStorage);
  const check = token === null ? null : checkToken(token, Date.now());
  if (token === null || check === null || !check.ok) {
    if (token !== null) {
      session.clear(sessionStorage);
      shell.notice = 'tokenExpired';
    }
    renderSignIn();
    return;
  }
  const ctx: ViewContext = {
    lang: shell.lang,
    t,
    client: new ApiClient({ baseUrl: shell.apiUrl, token }),
    expired: () => signOut('tokenExpired'),
  };
  const main = h('main', { id: 'view' });
  const nav = (view: Shell['view'], key: MessageKey) =>
    h(
      'button',
      {
        type: 'button',
        class: 'nav',
        'data-view': view,
        'aria-current': shell.view === view ? 'page' : null,
        onclick: () => {
          shell.view = view;
          render();
        },
      },
      t(key),
    );
  app.replaceChildren(
    h(
      'header',
      { class: 'top' },
      h('span', { class: 'brand' }, t('appTitle')),
      h('nav', {}, nav('search', 'navSearch'), nav('reports', 'navReports')),
      h('span', { class: 'tenant' }, `${t('tenant')}: `, h('strong', {}, check.info.tenant)),
      langSelect(),
      h('button', { type: 'button', class: 'sign-out', onclick: () => signOut('signedOut') }, t('signOut')),
    ),
    main,
  );
  if (shell.view === 'search') mountSearch(main, ctx);
  else mountReports(main, ctx);
}

async function start(): Promise<void> {
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    if (response.ok) {
      const config = (await response.json()) as { apiUrl?: unknown };
      if (typeof config.apiUrl === 'string') shell.apiUrl = config.apiUrl;
    }
  } catch (error) {
    console.warn('config.json not readable; calling this origin', error);
  }
  render();
}

void start();
