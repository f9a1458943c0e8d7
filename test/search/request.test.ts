/**
 * Property tests of the request parser and the cursor: any JSON is either a canonical query or
 * a 400 with details; any change to a cursor is a 400.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { newKeySet, rotateKeySet } from '../../shared/auth/tokens.js';
import { InvalidRequestError } from '../../shared/errors.js';
import { queryFingerprint, signCursor, verifyCursor } from '../../shared/query/cursor.js';
import { dayRange, parseAggregateRequest, parseSearchRequest } from '../../shared/query/request.js';

describe('parseSearchRequest', () => {
  it('turns any JSON into a canonical query or an InvalidRequestError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.record({ from: fc.string(), to: fc.string(), limit: fc.integer() })),
        (body) => {
          try {
            const { query } = parseSearchRequest(body);
            expect(query.from < query.to).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidRequestError);
          }
        },
      ),
    );
  });

  it('canonicalises offsets to UTC and picks the UTC days of [from, to)', () => {
    // Act
    const { query } = parseSearchRequest({
      from: '2026-11-01T00:00:00+09:00',
      to: '2026-11-25T00:00:00+09:00',
      types: ['web', 'app', 'web'],
      filters: { domain: 'Example.CO.JP' },
    });
    // Assess
    expect(query).toMatchObject({
      from: '2026-10-31T15:00:00.000Z',
      to: '2026-11-24T15:00:00.000Z',
      types: ['app', 'web'],
      filters: { domain: 'example.co.jp' },
      limit: 100,
      order: 'desc',
    });
    expect(dayRange(query)).toEqual({ first: '2026-10-31', last: '2026-11-24' });
    expect(dayRange({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z' })).toEqual({
      first: '2026-11-01',
      last: '2026-11-01',
    });
  });

  it('names unknown fields in the details', () => {
    expect(() =>
      parseSearchRequest({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z', q: 1 }),
    ).toThrow(
      expect.objectContaining({ details: [expect.objectContaining({ message: 'unknown field(s): q' })] }),
    );
    expect(() => parseAggregateRequest({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' })).toThrow(
      InvalidRequestError,
    );
  });
});

describe('parseAggregateRequest', () => {
  const day = (d: number) => new Date(Date.UTC(2026, 9, 1) + d * 86_400_000).toISOString();

  it('accepts groupBy hour over at most 31 days, and answers 400 beyond', () => {
    // Act
    const ok = parseAggregateRequest({ from: day(0), to: day(31), groupBy: 'hour' });
    // Assess
    expect(ok).toMatchObject({ groupBy: 'hour', metric: 'count', limit: 20 });
    expect(() =>
      parseAggregateRequest({
        from: day(0),
        to: new Date(Date.parse(day(31)) + 1).toISOString(),
        groupBy: 'hour',
      }),
    ).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'invalid_request',
        details: [expect.objectContaining({ field: 'groupBy' })],
      }),
    );
    // day has no such bound
    expect(parseAggregateRequest({ from: day(0), to: day(400), groupBy: 'day' }).groupBy).toBe('day');
  });
});

describe('cursor', () => {
  const keys = newKeySet('k-1');
  const fingerprint = queryFingerprint('search', { from: 'a', to: 'b', types: null, filters: {} });
  const position = {
    kind: 'keyset',
    ts: '2026-11-20T01:00:00.000Z',
    eventId: 'e-1',
    deviceId: 'pc-1',
  } as const;

  it('round-trips, and survives a key rotation', () => {
    const cursor = signCursor(keys, 'acme-corp', fingerprint, position);
    expect(verifyCursor(keys, cursor, 'acme-corp', fingerprint)).toEqual(position);
    expect(verifyCursor(rotateKeySet(keys), cursor, 'acme-corp', fingerprint)).toEqual(position);
  });

  it('rejects any single-character change', () => {
    const cursor = signCursor(keys, 'acme-corp', fingerprint, position);
    fc.assert(
      fc.property(fc.nat(cursor.length - 1), fc.constantFrom(...'ABCabc012-_.x'), (index, char) => {
        fc.pre(cursor[index] !== char);
        const changed = `${cursor.slice(0, index)}${char}${cursor.slice(index + 1)}`;
        expect(() => verifyCursor(keys, changed, 'acme-corp', fingerprint)).toThrow(InvalidRequestError);
      }),
    );
  });

  it('rejects a signature whose last character differs only in its unused bits', () => {
    // Prepare: the same 32 MAC bytes, spelled with another last base64url character
    const cursor = signCursor(keys, 'acme-corp', fingerprint, position);
    const [body, mac = ''] = cursor.split('.');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = [...alphabet]
      .map((c) => `${mac.slice(0, -1)}${c}`)
      .find((m) => m !== mac && Buffer.from(m, 'base64url').equals(Buffer.from(mac, 'base64url')));
    // Act + Assess
    expect(twin).toBeDefined();
    expect(() => verifyCursor(keys, `${body}.${twin}`, 'acme-corp', fingerprint)).toThrow(
      InvalidRequestError,
    );
  });

  it('binds to tenant, query and key set', () => {
    const cursor = signCursor(keys, 'acme-corp', fingerprint, position);
    expect(() => verifyCursor(keys, cursor, 'beta-inc', fingerprint)).toThrow(/another tenant/);
    expect(() => verifyCursor(keys, cursor, 'acme-corp', 'other')).toThrow(/another query/);
    expect(() => verifyCursor(newKeySet('k-1'), cursor, 'acme-corp', fingerprint)).toThrow(/signature/);
  });
});
