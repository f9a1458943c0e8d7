/** The time range control: presets in the browser's time zone, or a custom from/to. */
import {
  fromLocalInput,
  PRESETS,
  type Preset,
  presetRange,
  type Range,
  toLocalInput,
} from '../../shared/client/time-range.js';
import type { ViewContext } from './context.js';
import { h } from './dom.js';
import { timeZoneName } from './format.js';
import type { MessageKey } from './i18n.js';

export interface RangeState {
  preset: Preset | 'custom';
  customFrom: string;
  customTo: string;
}

export function defaultRange(now = new Date()): RangeState {
  const week = presetRange('7d', now);
  return { preset: '7d', customFrom: toLocalInput(week.from), customTo: toLocalInput(week.to) };
}

/** The range the state means now; null when a custom range is incomplete or reversed. */
export function resolveRange(state: RangeState, now = new Date()): Range | null {
  if (state.preset !== 'custom') return presetRange(state.preset, now);
  const from = fromLocalInput(state.customFrom);
  const to = fromLocalInput(state.customTo);
  return from && to && from < to ? { from, to } : null;
}

const PRESET_LABEL: Record<Preset | 'custom', MessageKey> = {
  '1h': 'preset1h',
  today: 'presetToday',
  '7d': 'preset7d',
  '30d': 'preset30d',
  custom: 'presetCustom',
};

export function rangePicker(ctx: ViewContext, state: RangeState, idPrefix: string): HTMLElement {
  const custom = h(
    'span',
    { class: 'custom', hidden: state.preset !== 'custom' },
    h('label', { for: `${idPrefix}-from` }, ctx.t('from')),
    h('input', {
      id: `${idPrefix}-from`,
      type: 'datetime-local',
      value: state.customFrom,
      onchange: (e) => {
        state.customFrom = (e.target as HTMLInputElement).value;
      },
    }),
    h('label', { for: `${idPrefix}-to` }, ctx.t('to')),
    h('input', {
      id: `${idPrefix}-to`,
      type: 'datetime-local',
      value: state.customTo,
      onchange: (e) => {
        state.customTo = (e.target as HTMLInputElement).value;
      },
    }),
  );
  const select = h(
    'select',
    {
      id: `${idPrefix}-preset`,
      onchange: (e) => {
        state.preset = (e.target as HTMLSelectElement).value as RangeState['preset'];
        custom.hidden = state.preset !== 'custom';
      },
    },
    [...PRESETS, 'custom' as const].map((p) =>
      h('option', { value: p, selected: p === state.preset }, ctx.t(PRESET_LABEL[p])),
    ),
  );
  return h(
    'fieldset',
    { class: 'range' },
    h('legend', {}, ctx.t('range')),
    h('label', { for: `${idPrefix}-preset`, class: 'sr-only' }, ctx.t('range')),
    select,
    custom,
    h('small', { class: 'tz' }, ctx.t('timeZone', { tz: timeZoneName() })),
  );
}
