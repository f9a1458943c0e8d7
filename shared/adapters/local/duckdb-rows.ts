/**
 * Rows of the search SQL (shared/query/sql.ts) into the API's shapes. Text leaves DuckDB as bytes
 * (`encode`) because @duckdb/node-api's decoder drops a leading U+FEFF; it is decoded here as is,
 * so every string comes back byte for byte.
 */
import type { EventType, OutputEvent } from '../../domain/event.js';
import type { AggregateRow } from '../../query/ports.js';

/** Keeps a leading U+FEFF (the default TextDecoder drops it). */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Text the SQL handed as bytes (`encode`), decoded as is; other values as their string. */
const text = (value: unknown): string | null =>
  value === null || value === undefined
    ? null
    : value instanceof Uint8Array
      ? utf8.decode(value)
      : String(value);

export function toEvent(row: Record<string, unknown>): OutputEvent {
  const duration = row.duration_ms;
  const attrs = row.attrs;
  return {
    eventId: text(row.event_id) ?? '',
    type: String(row.type) as EventType,
    ts: String(row.ts),
    deviceId: text(row.device_id) ?? '',
    user: text(row.user),
    host: text(row.host),
    app: text(row.app),
    title: text(row.title),
    url: text(row.url),
    domain: text(row.domain),
    path: text(row.path),
    op: text(row.op),
    durationMs: duration === null || duration === undefined ? null : Number(duration),
    attrs:
      attrs === null || attrs === undefined
        ? null
        : (JSON.parse(text(attrs) ?? 'null') as Record<string, unknown>),
  };
}

export function toAggregateRow(row: Record<string, unknown>): AggregateRow {
  return {
    key: text(row.group_key),
    count: Number(row.event_count),
    durationMs: Number(row.duration_ms_total),
  };
}
