/**
 * Page cursors: `base64url(JSON payload) . base64url(HMAC-SHA256)`. The payload names the
 * tenant, the fingerprint of the canonical query and the engine's position (a keyset position
 * for DuckDB, an execution id plus GetQueryResults NextToken for Athena). Anything else than an
 * untouched cursor of this tenant and this query is 400 `invalid_request`.
 *
 * Keys: derived with HKDF-SHA256 (info `oplake/search-cursor/v1`) from the token key set's
 * secrets, by kid, so the cursor key rotates with the token keys and a leaked cursor key never
 * signs a token. The cursor names the kid it was signed with.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { KeySet } from '../auth/tokens.js';
import { InvalidRequestError } from '../errors.js';
import type { QueryScope } from './request.js';

export type PagePosition =
  | { kind: 'keyset'; ts: string; eventId: string; deviceId: string }
  | { kind: 'results'; executionId: string; nextToken: string };

interface CursorPayload {
  v: 1;
  k: string;
  t: string;
  f: string;
  p: PagePosition;
}

const INFO = 'oplake/search-cursor/v1';

function cursorKey(keySet: KeySet, kid: string): Buffer | null {
  // Own keys only: a kid such as "__proto__" or "toString" must not reach Object.prototype.
  const secret = Object.hasOwn(keySet.keys, kid) ? keySet.keys[kid] : undefined;
  if (typeof secret !== 'string') return null;
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'base64url'), Buffer.alloc(0), INFO, 32));
}

/**
 * The fingerprint of a query: its canonical scope and order, not its page size (a client may
 * change `limit` between pages). Also used to name a query in the registry.
 */
export function queryFingerprint(kind: 'search' | 'aggregate', canonical: QueryScope & object): string {
  const { limit: _limit, ...rest } = canonical as QueryScope & { limit?: number };
  return createHash('sha256')
    .update(`${kind}\n${stableJson(rest)}`)
    .digest('base64url');
}

export function signCursor(
  keySet: KeySet,
  tenantId: string,
  fingerprint: string,
  position: PagePosition,
): string {
  const key = cursorKey(keySet, keySet.activeKid);
  if (key === null) throw new RangeError(`active key ${keySet.activeKid} is not in the key set`);
  const payload: CursorPayload = { v: 1, k: keySet.activeKid, t: tenantId, f: fingerprint, p: position };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const mac = createHmac('sha256', key).update(body).digest('base64url');
  return `${body}.${mac}`;
}

export function verifyCursor(
  keySet: KeySet,
  cursor: string,
  tenantId: string,
  fingerprint: string,
): PagePosition {
  const invalid = (why: string) =>
    new InvalidRequestError(`cursor is not valid for this query: ${why}`, {
      details: [{ field: 'cursor', message: why }],
    });
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(cursor);
  if (!match?.[1] || !match[2]) throw invalid('malformed');
  const body = match[1];
  let payload: CursorPayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CursorPayload;
  } catch (error) {
    throw new InvalidRequestError('cursor is not valid for this query: malformed', { cause: error });
  }
  if (typeof payload !== 'object' || payload === null || typeof payload.k !== 'string')
    throw invalid('malformed');
  const key = cursorKey(keySet, payload.k);
  if (key === null) throw invalid('signed with an unknown key');
  // Compare the encodings, not the decoded bytes: the last base64url character carries two
  // unused bits, so a decode-then-compare would accept a changed cursor.
  const expected = Buffer.from(createHmac('sha256', key).update(body).digest('base64url'));
  const given = Buffer.from(match[2]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw invalid('signature mismatch');
  if (payload.v !== 1 || payload.t !== tenantId) throw invalid('issued for another tenant');
  if (payload.f !== fingerprint) throw invalid('issued for another query');
  if (!isPosition(payload.p)) throw invalid('malformed position');
  return payload.p;
}

function isPosition(p: unknown): p is PagePosition {
  if (typeof p !== 'object' || p === null) return false;
  const r = p as Record<string, unknown>;
  if (r.kind === 'keyset')
    return typeof r.ts === 'string' && typeof r.eventId === 'string' && typeof r.deviceId === 'string';
  if (r.kind === 'results') return typeof r.executionId === 'string' && typeof r.nextToken === 'string';
  return false;
}

/** JSON with object keys sorted, so equal queries have equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
