/**
 * Reports: top applications by usage time, top domains, events per day, and one user's or
 * device's activity over time. Each is a Chart.js chart with its numbers in a table beside it and
 * a CSV download of those numbers.
 */
import type { AggregateRequest, AggregateRow, GroupBy } from '../../shared/client/api-types.js';
import { bucketFor, toLocalIso } from '../../shared/client/time-range.js';
import { drawChart, type Series } from './charts.js';
import type { ViewContext } from './context.js';
import { toCsv } from './csv.js';
import { download, h } from './dom.js';
import { formatBucket, formatCount, formatDuration } from './format.js';
import type { MessageKey } from './i18n.js';
import { errorSentence, needsSignIn } from './messages.js';
import { defaultRange, type RangeState, rangePicker, resolveRange } from './range-picker.js';

export const REPORTS = ['apps', 'domains', 'daily', 'subject'] as const;
export type ReportId = (typeof REPORTS)[number];

interface ReportsState extends RangeState {
  report: ReportId;
  subjectKind: 'user' | 'deviceId';
  subject: string;
}

const state: ReportsState = { ...defaultRange(), report: 'apps', subjectKind: 'user', subject: '' };

export function resetReports(): void {
  Object.assign(state, { ...defaultRange(), report: 'apps', subjectKind: 'user', subject: '' });
}

interface Plan {
  request: Omit<AggregateRequest, 'from' | 'to'>;
  keyHeader: MessageKey;
  metric: 'count' | 'durationMs';
  chart: Series['kind'];
  bucket: 'hour' | 'day' | null;
}

function plan(report: ReportId, bucket: 'hour' | 'day'): Plan {
  switch (report) {
    case 'apps':
      return {
        request: { groupBy: 'app', metric: 'durationMs', types: ['app'], limit: 20 },
        keyHeader: 'col_app',
        metric: 'durationMs',
        chart: 'hbar',
        bucket: null,
      };
    case 'domains':
      return {
        request: { groupBy: 'domain', metric: 'count', types: ['web'], limit: 20 },
        keyHeader: 'col_domain',
        metric: 'count',
        chart: 'hbar',
        bucket: null,
      };
    case 'daily':
      return {
        request: { groupBy: 'day', metric: 'count' },
        keyHeader: 'col_day',
        metric: 'count',
        chart: 'bar',
        bucket: 'day',
      };
    case 'subject':
      return {
        request: {
          groupBy: bucket satisfies GroupBy,
          metric: 'count',
          filters: { [state.subjectKind]: state.subject },
        },
        keyHeader: bucket === 'hour' ? 'col_hour' : 'col_day',
        metric: 'count',
        chart: 'line',
        bucket,
      };
  }
}

/** Draws the reports screen; `run` shows the chosen report at once. */
export function mountReports(root: HTMLElement, ctx: ViewContext, run = false): void {
  const output = h('section', { class: 'report-output', 'aria-live': 'polite' });
  const subjectFields = h(
    'span',
    { class: 'subject', hidden: state.report !== 'subject' },
    h('label', { for: 'subject-kind' }, ctx.t('subjectKind')),
    h(
      'select',
      {
        id: 'subject-kind',
        onchange: (e) => {
          state.subjectKind = (e.target as HTMLSelectElement).value === 'deviceId' ? 'deviceId' : 'user';
        },
      },
      h('option', { value: 'user', selected: state.subjectKind === 'user' }, ctx.t('f_user')),
      h('option', { value: 'deviceId', selected: state.subjectKind === 'deviceId' }, ctx.t('f_deviceId')),
    ),
    h('label', { for: 'subject-value' }, ctx.t('subjectValue')),
    h('input', {
      id: 'subject-value',
      type: 'search',
      value: state.subject,
      maxlength: 256,
      oninput: (e) => {
        state.subject = (e.target as HTMLInputElement).value.trim();
      },
    }),
  );
  const tabs = h(
    'div',
    { class: 'tabs', role: 'group', 'aria-label': ctx.t('reportsTitle') },
    REPORTS.map((id) =>
      h(
        'button',
        {
          type: 'button',
          'data-report': id,
          'aria-pressed': String(id === state.report),
          onclick: () => {
            state.report = id;
            mountReports(root, ctx, id !== 'subject' || state.subject !== '');
          },
        },
        ctx.t(`report_${id}` as MessageKey),
      ),
    ),
  );
  const form = h(
    'form',
    {
      class: 'report-form',
      onsubmit: (e) => {
        e.preventDefault();
        void show();
      },
    },
    rangePicker(ctx, state, 'report'),
    subjectFields,
    h('button', { type: 'submit', class: 'primary' }, ctx.t('show')),
  );
  root.replaceChildren(h('h1', { class: 'sr-only' }, ctx.t('reportsTitle')), tabs, form, output);
  if (run) void show();

  async function show(): Promise<void> {
    const range = resolveRange(state);
    if (range === null) {
      output.replaceChildren(h('p', { class: 'error', role: 'alert' }, ctx.t('rangeInvalid')));
      return;
    }
    if (state.report === 'subject' && state.subject === '') {
      output.replaceChildren(h('p', { class: 'error', role: 'alert' }, ctx.t('subjectNeeded')));
      return;
    }
    const report = state.report;
    const p = plan(report, bucketFor(range));
    output.replaceChildren(h('p', { class: 'status' }, ctx.t('loading')));
    let rows: AggregateRow[];
    try {
      rows = (
        await ctx.client.aggregate({ ...p.request, from: toLocalIso(range.from), to: toLocalIso(range.to) })
      ).rows;
    } catch (error) {
      if (needsSignIn(error)) {
        ctx.expired();
        return;
      }
      output.replaceChildren(h('p', { class: 'error', role: 'alert' }, errorSentence(ctx.lang, error)));
      return;
    }
    render(report, p, rows);
  }

  function render(report: ReportId, p: Plan, rows: AggregateRow[]): void {
    const label = (key: string | null) => (p.bucket ? formatBucket(ctx.lang, key, p.bucket) : (key ?? '—'));
    const value = (row: AggregateRow) => (p.metric === 'durationMs' ? row.durationMs : row.count);
    const canvas = h('canvas', {
      id: `chart-${report}`,
      role: 'img',
      'aria-label': ctx.t(`report_${report}` as MessageKey),
    });
    const header = [
      ctx.t(p.keyHeader),
      ...(p.metric === 'durationMs' ? [ctx.t('col_usage')] : []),
      ctx.t('col_count'),
    ];
    const table = h(
      'table',
      { class: 'numbers' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          header.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            {},
            h('td', {}, label(row.key)),
            p.metric === 'durationMs' ? h('td', { class: 'num' }, formatDuration(row.durationMs)) : null,
            h('td', { class: 'num' }, formatCount(ctx.lang, row.count)),
          ),
        ),
      ),
    );
    const csv = () => {
      const csvHeader = ['key', ...(p.metric === 'durationMs' ? ['durationMs'] : []), 'count'];
      const csvRows = rows.map((r) => [r.key, ...(p.metric === 'durationMs' ? [r.durationMs] : []), r.count]);
      download(`oplake-${report}.csv`, toCsv(csvHeader, csvRows), 'text/csv;charset=utf-8');
    };
    output.replaceChildren(
      h(
        'div',
        { class: 'report-head' },
        h('h2', {}, ctx.t(`report_${report}` as MessageKey)),
        h('button', { type: 'button', class: 'csv', onclick: csv }, ctx.t('downloadCsv')),
      ),
      rows.length === 0
        ? h('p', { class: 'empty' }, ctx.t('noResults'))
        : h(
            'div',
            { class: 'report-body' },
            h('div', { class: 'chart' }, canvas),
            h('div', { class: 'table-wrap' }, table),
          ),
    );
    if (rows.length > 0) {
      drawChart(canvas, {
        kind: p.chart,
        label: ctx.t(p.metric === 'durationMs' ? 'col_usage' : 'col_count'),
        labels: rows.map((r) => label(r.key)),
        values: rows.map(value),
        ...(p.metric === 'durationMs' ? { formatValue: formatDuration } : {}),
      });
    }
  }
}
