/**
 * The search screen: range, types and every filter of the contract; a histogram from
 * /v1/aggregate (hour buckets for a few days, day beyond); a results table, newest first, paged
 * by the cursor; progress and cancel while a query runs past the wait budget (202 + polling; Cancel
 * aborts the wait and the client sends DELETE /v1/search/{queryId}, which stops it on the server);
 * a row opens the whole event; a value (user, host, device, app, domain) filters by it.
 */
import {
  type AggregateRow,
  type ApiEvent,
  EVENT_TYPES,
  type EventType,
  FILTER_KEYS,
  type FilterKey,
  type Filters,
  type SearchAnswer,
} from '../../shared/client/api-types.js';
import { bucketFor, toLocalIso } from '../../shared/client/time-range.js';
import { drawChart } from './charts.js';
import type { ViewContext } from './context.js';
import { h } from './dom.js';
import { showEvent } from './event-dialog.js';
import { formatBucket, formatBytes, formatTime } from './format.js';
import type { MessageKey } from './i18n.js';
import { errorSentence, needsSignIn } from './messages.js';
import { defaultRange, type RangeState, rangePicker, resolveRange } from './range-picker.js';

const PAGE_SIZE = 50;
const CLICKABLE: readonly (FilterKey & keyof ApiEvent)[] = ['user', 'host', 'deviceId', 'app', 'domain'];

interface SearchState extends RangeState {
  types: EventType[];
  filters: Filters;
  /** The query as last run: paging keeps its exact from/to (a cursor is bound to its query). */
  ran: { from: string; to: string; bucket: 'hour' | 'day' } | null;
  /** cursors[i] reads page i (cursors[0] = null). */
  cursors: (string | null)[];
  page: number;
  answer: SearchAnswer | null;
  histogram: AggregateRow[] | null;
  message: string | null;
  running: AbortController | null;
}

const state: SearchState = {
  ...defaultRange(),
  types: [],
  filters: {},
  ran: null,
  cursors: [null],
  page: 0,
  answer: null,
  histogram: null,
  message: null,
  running: null,
};

/** Forgets the last search (sign-out). */
export function resetSearch(): void {
  Object.assign(state, { ...defaultRange(), types: [], filters: {}, ran: null, cursors: [null], page: 0 });
  Object.assign(state, { answer: null, histogram: null, message: null });
  state.running?.abort();
  state.running = null;
}

/** The paint of the screen on show (a search outlives a re-draw, e.g. a language switch). */
let paintActive: () => void = () => undefined;

/** Draws the search screen; `search` runs the search at once (a value was clicked). */
export function mountSearch(root: HTMLElement, ctx: ViewContext, search = false): void {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const canvas = h('canvas', { id: 'histogram', role: 'img' });
  const histogramBox = h(
    'section',
    { class: 'histogram', hidden: true },
    h('h2', {}),
    h('div', { class: 'chart' }, canvas),
  );
  const results = h('section', { class: 'results', 'aria-label': ctx.t('results') });

  const form = h(
    'form',
    {
      class: 'search-form',
      onsubmit: (e) => {
        e.preventDefault();
        void run(true);
      },
    },
    rangePicker(ctx, state, 'search'),
    h(
      'fieldset',
      { class: 'types' },
      h('legend', {}, ctx.t('types')),
      EVENT_TYPES.map((type) =>
        h(
          'label',
          {},
          h('input', {
            type: 'checkbox',
            name: 'type',
            value: type,
            checked: state.types.includes(type),
            onchange: (e) => {
              const on = (e.target as HTMLInputElement).checked;
              state.types = EVENT_TYPES.filter((t) => (t === type ? on : state.types.includes(t)));
            },
          }),
          ctx.t(`type_${type}` as MessageKey),
        ),
      ),
    ),
    h(
      'fieldset',
      { class: 'filters' },
      FILTER_KEYS.map((key) =>
        h(
          'label',
          {},
          h('span', {}, ctx.t(`f_${key}` as MessageKey)),
          h('input', {
            type: 'search',
            name: key,
            value: state.filters[key] ?? '',
            maxlength: 256,
            oninput: (e) => {
              const value = (e.target as HTMLInputElement).value.trim();
              if (value === '') delete state.filters[key];
              else state.filters[key] = value;
            },
          }),
        ),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, ctx.t('search')),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            state.types = [];
            state.filters = {};
            mountSearch(root, ctx);
          },
        },
        ctx.t('clear'),
      ),
    ),
  );
  root.replaceChildren(form, status, histogramBox, results);
  paintActive = paint;
  paint();
  if (search) void run(true);

  function paint(): void {
    status.replaceChildren();
    if (state.running) {
      status.append(
        h('span', { class: 'spinner', 'aria-hidden': 'true' }),
        h('span', { class: 'progress' }, ctx.t('running', { seconds: 0 })),
        h(
          'button',
          { type: 'button', class: 'cancel', onclick: () => state.running?.abort() },
          ctx.t('cancel'),
        ),
      );
    } else if (state.message) {
      status.append(h('span', { class: 'error', role: 'alert' }, state.message));
    }
    paintHistogram();
    paintResults();
  }

  function paintHistogram(): void {
    const rows = state.histogram;
    histogramBox.hidden = rows === null || state.ran === null;
    if (rows === null || state.ran === null) return;
    const bucket = state.ran.bucket;
    const title = histogramBox.querySelector('h2');
    const text = ctx.t('histogramTitle', { bucket: ctx.t(`bucket_${bucket}`) });
    if (title) title.textContent = text;
    canvas.setAttribute('aria-label', text);
    drawChart(canvas, {
      kind: 'bar',
      label: ctx.t('col_count'),
      labels: rows.map((r) => formatBucket(ctx.lang, r.key, bucket)),
      values: rows.map((r) => r.count),
    });
  }

  function paintResults(): void {
    const answer = state.answer;
    if (answer === null) {
      results.replaceChildren();
      return;
    }
    const header = h(
      'div',
      { class: 'results-head' },
      h('h2', {}, ctx.t('results')),
      h('span', { class: 'page-no' }, ctx.t('page', { n: state.page + 1 })),
      h(
        'button',
        { type: 'button', class: 'prev', disabled: state.page === 0, onclick: () => void turn(-1) },
        ctx.t('prev'),
      ),
      h(
        'button',
        { type: 'button', class: 'next', disabled: answer.nextCursor === null, onclick: () => void turn(1) },
        ctx.t('next'),
      ),
      h(
        'small',
        { class: 'scanned' },
        ctx.t('scanned', { bytes: formatBytes(answer.stats.scannedBytes), engine: answer.stats.engine }),
      ),
    );
    if (answer.events.length === 0) {
      results.replaceChildren(header, h('p', { class: 'empty' }, ctx.t('noResults')));
      return;
    }
    const columns = ['ts', 'type', 'user', 'host', 'deviceId', 'app', 'domain', 'detail'] as const;
    const table = h(
      'table',
      { class: 'events' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { scope: 'col' }, ctx.t(`col_${c}` as MessageKey))),
        ),
      ),
      h(
        'tbody',
        {},
        answer.events.map((event) => eventRow(event)),
      ),
    );
    results.replaceChildren(header, h('div', { class: 'table-wrap' }, table));
  }

  function eventRow(event: ApiEvent): HTMLTableRowElement {
    const value = (key: FilterKey & keyof ApiEvent) => {
      const v = event[key];
      if (typeof v !== 'string' || v === '') return h('td', {});
      return h(
        'td',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'chip',
            'data-filter': key,
            title: ctx.t('filterBy', { field: ctx.t(`f_${key}` as MessageKey), value: v }),
            onclick: (e) => {
              e.stopPropagation();
              state.filters[key] = v;
              mountSearch(root, ctx, true);
            },
          },
          v,
        ),
      );
    };
    const open = () => showEvent(ctx, event);
    return h(
      'tr',
      {
        tabindex: 0,
        'data-event-id': event.eventId,
        onclick: open,
        onkeydown: (e) => {
          if ((e as KeyboardEvent).key !== 'Enter' || e.target !== e.currentTarget) return;
          e.preventDefault(); // else the same key press activates the dialog's close button
          open();
        },
      },
      h('td', { class: 'ts' }, formatTime(ctx.lang, event.ts)),
      h('td', {}, ctx.t(`type_${event.type}` as MessageKey)),
      CLICKABLE.map((key) => value(key)),
      h('td', { class: 'detail' }, event.title ?? event.url ?? event.path ?? event.op ?? ''),
    );
  }

  async function turn(step: number): Promise<void> {
    const target = state.page + step;
    if (target < 0 || target >= state.cursors.length) return;
    state.page = target;
    await run(false);
  }

  async function run(fresh: boolean): Promise<void> {
    if (fresh) {
      const range = resolveRange(state);
      if (range === null) {
        state.message = ctx.t('rangeInvalid');
        paintActive();
        return;
      }
      state.ran = { from: toLocalIso(range.from), to: toLocalIso(range.to), bucket: bucketFor(range) };
      state.cursors = [null];
      state.page = 0;
      state.histogram = null;
    }
    const ran = state.ran;
    if (ran === null) return;
    state.running?.abort();
    const controller = new AbortController();
    state.running = controller;
    state.message = null;
    paintActive();
    const started = Date.now();
    const ticker = setInterval(() => {
      const progress = document.querySelector('.status .progress');
      if (progress)
        progress.textContent = ctx.t('running', { seconds: Math.round((Date.now() - started) / 1000) });
    }, 500);
    const scope = {
      from: ran.from,
      to: ran.to,
      ...(state.types.length > 0 ? { types: [...state.types] } : {}),
      ...(Object.keys(state.filters).length > 0 ? { filters: { ...state.filters } } : {}),
    };
    try {
      const [answer, histogram] = await Promise.all([
        ctx.client.search(
          { ...scope, limit: PAGE_SIZE, order: 'desc', cursor: state.cursors[state.page] ?? null },
          { signal: controller.signal },
        ),
        fresh
          ? ctx.client.aggregate({ ...scope, groupBy: ran.bucket }, { signal: controller.signal })
          : Promise.resolve(null),
      ]);
      state.answer = answer;
      if (histogram) state.histogram = histogram.rows;
      state.cursors[state.page + 1] = answer.nextCursor;
      state.cursors.length = answer.nextCursor === null ? state.page + 1 : state.page + 2;
    } catch (error) {
      controller.abort();
      if (needsSignIn(error)) {
        clearInterval(ticker);
        state.running = null;
        ctx.expired();
        return;
      }
      state.message = errorSentence(ctx.lang, error);
      if (fresh) state.answer = null;
    } finally {
      clearInterval(ticker);
    }
    if (state.running === controller) state.running = null;
    paintActive();
  }
}
