/**
 * The event model, from what agents send to what is stored and returned.
 *
 * - `IncomingEvent`: one event as an agent sent it, after validation (see validate.ts).
 * - `StoredEvent`: one line of raw JSON and one row of Parquet (snake_case columns, the same in
 *   both, so the search SQL reads either with one column list).
 * - `OutputEvent`: what /v1/search returns (CONTRACT.md "Search").
 */

export const EVENT_TYPES = ['app', 'web', 'file', 'logon', 'device', 'print'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const FILE_OPS = ['create', 'modify', 'delete', 'rename', 'copy', 'move'] as const;
export const LOGON_OPS = ['logon', 'logoff', 'lock', 'unlock'] as const;

/** Fields with a column of their own; every other field of an event goes to `attrs`. */
export const KNOWN_FIELDS = [
  'eventId',
  'deviceId',
  'type',
  'ts',
  'user',
  'host',
  'app',
  'title',
  'url',
  'path',
  'op',
  'durationMs',
] as const;

export interface IncomingEvent {
  eventId?: string;
  deviceId?: string;
  type: EventType;
  /** RFC 3339 with an offset, as sent. */
  ts: string;
  user?: string;
  host?: string;
  app?: string;
  title?: string;
  url?: string;
  path?: string;
  op?: string;
  durationMs?: number;
  /** Every field not in KNOWN_FIELDS. */
  attrs?: Record<string, unknown>;
}

/** Column order of raw JSON lines and Parquet files. */
export const STORED_COLUMNS = [
  'event_id',
  'tenant_id',
  'dt',
  'type',
  'ts',
  'device_id',
  'user',
  'host',
  'app',
  'title',
  'url',
  'domain',
  'path',
  'op',
  'duration_ms',
  'attrs',
  'batch_id',
  'received_at',
  'event_pos',
] as const;

export type StoredColumn = (typeof STORED_COLUMNS)[number];

/** The partition columns (part of the object key: `tenant_id=T/dt=D/`). */
export const PARTITION_KEYS = ['tenant_id', 'dt'] as const;

/** Every stored column except the partition keys: what the engines read from the files. */
export const DATA_COLUMNS: readonly Exclude<StoredColumn, (typeof PARTITION_KEYS)[number]>[] =
  STORED_COLUMNS.filter(
    (c): c is Exclude<StoredColumn, (typeof PARTITION_KEYS)[number]> => c !== 'tenant_id' && c !== 'dt',
  );

export interface StoredEvent {
  event_id: string;
  tenant_id: string;
  /** UTC date of `ts`, `YYYY-MM-DD`: the partition. */
  dt: string;
  type: EventType;
  /** UTC, milliseconds, `Z`: `2026-11-24T00:15:02.123Z`. Fixed width, so text order is time order. */
  ts: string;
  device_id: string;
  user: string | null;
  host: string | null;
  app: string | null;
  title: string | null;
  url: string | null;
  /** Lower-case host name of `url`. */
  domain: string | null;
  path: string | null;
  op: string | null;
  duration_ms: number | null;
  /** JSON text of the extra fields, or null. */
  attrs: string | null;
  batch_id: string;
  /** When ingest accepted the batch (UTC ISO): the earliest copy of an event wins dedup. */
  received_at: string;
  /**
   * Position in the batch when `event_id` was derived from it (positionalEventId), else null.
   * Converted Parquet then stores `event_id` NULL and readers derive it (docs/nightly.md "Layout").
   */
  event_pos: number | null;
}

export interface OutputEvent {
  eventId: string;
  type: EventType;
  ts: string;
  deviceId: string;
  user: string | null;
  host: string | null;
  app: string | null;
  title: string | null;
  url: string | null;
  domain: string | null;
  path: string | null;
  op: string | null;
  durationMs: number | null;
  attrs: Record<string, unknown> | null;
}

export function toOutputEvent(row: StoredEvent): OutputEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    ts: row.ts,
    deviceId: row.device_id,
    user: row.user,
    host: row.host,
    app: row.app,
    title: row.title,
    url: row.url,
    domain: row.domain,
    path: row.path,
    op: row.op,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    attrs: row.attrs === null ? null : (JSON.parse(row.attrs) as Record<string, unknown>),
  };
}
