/**
 * From a validated incoming event to the stored row: UTC time with milliseconds, the UTC date
 * partition, lower-case domain from the URL, a derived event id where the agent sent none.
 */
import type { IncomingEvent, StoredEvent } from './event.js';
import { contentEventId, positionalEventId } from './ids.js';
import { parseTimestamp } from './validate.js';

/** How an event without `eventId` gets one (CONTRACT.md "Ingest"). */
export type IdDerivation = 'position' | 'content';

export interface NormalizeContext {
  tenantId: string;
  batchId: string;
  receivedAt: string;
  derivation: IdDerivation;
}

export interface QueuedEvent {
  /** Position in the batch as sent. */
  index: number;
  /** The device the event belongs to, resolved by ingest (token sub, body, header, event). */
  deviceId: string;
  event: IncomingEvent;
}

export function normalizeEvent(item: QueuedEvent, ctx: NormalizeContext): StoredEvent {
  const { event, deviceId } = item;
  const millis = parseTimestamp(event.ts);
  if (millis === null) throw new TypeError(`event ${item.index}: ts ${event.ts} is not a valid time`);
  const ts = new Date(millis).toISOString();
  const byPosition = event.eventId === undefined && ctx.derivation === 'position';
  const eventId =
    event.eventId ??
    (byPosition
      ? positionalEventId(ctx.tenantId, deviceId, ctx.batchId, item.index)
      : contentEventId(ctx.tenantId, deviceId, eventAsSent(event)));
  return {
    event_id: eventId,
    tenant_id: ctx.tenantId,
    dt: ts.slice(0, 10),
    type: event.type,
    ts,
    device_id: deviceId,
    user: event.user ?? null,
    host: event.host ?? null,
    app: event.app ?? null,
    title: event.title ?? null,
    url: event.url ?? null,
    domain: event.url === undefined ? null : domainOf(event.url),
    path: event.path ?? null,
    op: event.op ?? null,
    duration_ms: event.durationMs ?? null,
    attrs: event.attrs === undefined ? null : JSON.stringify(event.attrs),
    batch_id: ctx.batchId,
    received_at: ctx.receivedAt,
    event_pos: byPosition ? item.index : null,
  };
}

/** Lower-case host name, without port or a trailing dot. */
export function domainOf(url: string): string {
  return new URL(url).hostname.toLowerCase().replace(/\.$/, '');
}

/** The event's fields as the agent sent them (attrs flattened back), for content-derived ids. */
function eventAsSent(event: IncomingEvent): Record<string, unknown> {
  const { attrs, ...known } = event;
  return { ...(attrs ?? {}), ...known };
}
