/** The whole event in a modal dialog (Escape or the close button closes it). */
import { type ApiEvent, EVENT_FIELDS } from '../../shared/client/api-types.js';
import type { ViewContext } from './context.js';
import { h } from './dom.js';
import { formatTime } from './format.js';

export function showEvent(ctx: ViewContext, event: ApiEvent): void {
  document.querySelector('dialog.event')?.remove();
  const cell = (field: (typeof EVENT_FIELDS)[number]) => {
    const value = event[field];
    if (value === null) return h('td', { class: 'null' }, '—');
    if (field === 'attrs') return h('td', {}, h('pre', {}, JSON.stringify(value, null, 2)));
    if (field === 'ts') return h('td', {}, `${formatTime(ctx.lang, String(value))} (${String(value)})`);
    return h('td', {}, String(value));
  };
  const dialog = h(
    'dialog',
    { class: 'event', 'aria-labelledby': 'event-title' },
    h('h2', { id: 'event-title' }, ctx.t('eventTitle')),
    h(
      'table',
      {},
      h(
        'tbody',
        {},
        EVENT_FIELDS.map((field) => h('tr', {}, h('th', { scope: 'row' }, field), cell(field))),
      ),
    ),
    h(
      'form',
      { method: 'dialog' },
      h('button', { type: 'submit', class: 'close', autofocus: true }, ctx.t('close')),
    ),
  );
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
