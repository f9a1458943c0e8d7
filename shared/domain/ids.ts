/**
 * Derived identifiers. Both are stable: the same input always gives the same id, so a replayed
 * batch or a shipper's resent chunk produces the same event ids and dedup removes the copies.
 */
import { createHash, hash } from 'node:crypto';

/** JSON batch without `eventId`: derived from tenant, device, batch id and position. */
export function positionalEventId(
  tenantId: string,
  deviceId: string,
  batchId: string,
  index: number,
): string {
  return `p-${digest([tenantId, deviceId, batchId, String(index)])}`;
}

/** The column expressions `positionalEventIdSql` derives from (trusted identifiers, never values). */
export interface PositionColumns {
  tenant: string;
  device: string;
  batch: string;
  /** The event's position in its batch (`event_pos`); NULL gives NULL. */
  pos: string;
}

/**
 * `positionalEventId` in SQL, byte for byte (shared/domain/ids.test.ts runs it on DuckDB): the
 * converted Parquet stores `event_pos` instead of the id of such events and readers derive the id
 * from the stored tenant, device, batch and position (docs/nightly.md "Layout"). NULL when the
 * position is NULL. Trino: to_base64url of sha256 over the UTF-8 text; DuckDB: sha256 gives hex.
 */
export function positionalEventIdSql(dialect: 'athena' | 'duckdb', c: PositionColumns): string {
  const parts = [c.tenant, 'chr(0)', c.device, 'chr(0)', c.batch, 'chr(0)', `CAST(${c.pos} AS VARCHAR)`];
  if (dialect === 'athena') {
    return `concat('p-', substr(to_base64url(sha256(to_utf8(concat(${parts.join(', ')})))), 1, 32))`;
  }
  return `('p-' || substr(translate(to_base64(unhex(sha256(${parts.join(' || ')}))), '+/', '-_'), 1, 32))`;
}

/** NDJSON event without `eventId`: derived from tenant, device and the event's canonical JSON. */
export function contentEventId(tenantId: string, deviceId: string, event: unknown): string {
  return `c-${digest([tenantId, deviceId, canonicalJson(event)])}`;
}

/** JSON with object keys sorted at every depth; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = sortKeys(value[i]);
    return out;
  }
  // Keys sorted by UTF-16 code units (the default sort); a null prototype keeps "__proto__" a key.
  const source = value as Record<string, unknown>;
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(source).sort()) out[key] = sortKeys(source[key]);
  return out;
}

/** 32 characters of base64url SHA-256 over NUL-separated parts (fits the 128-character id rule). */
function digest(parts: readonly string[]): string {
  return hash('sha256', parts.join('\u0000'), 'base64url').slice(0, 32);
}

/** SHA-256 hex of a payload: the idempotency payload fingerprint. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
