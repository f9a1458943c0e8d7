/**
 * The console's pure parts: both languages have every message, errors of the contract read as
 * sentences, tokens are checked before use, CSV is well-formed, time ranges and buckets are right.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { toCsv } from '../../console/src/csv.js';
import { format, initialLang, MESSAGES } from '../../console/src/i18n.js';
import { errorSentence, needsSignIn } from '../../console/src/messages.js';
import { checkToken, session } from '../../console/src/session.js';
import { ApiRequestError, CancelledError } from '../../shared/client/api-client.js';
import {
  bucketFor,
  fromLocalInput,
  parseDuration,
  presetRange,
  toLocalInput,
  toLocalIso,
} from '../../shared/client/time-range.js';

const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('messages', () => {
  it('has every key in both languages, with the same placeholders', () => {
    const en = MESSAGES.en;
    const ja = MESSAGES.ja;
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const names = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
      expect({ key, names: names(ja[key]) }).toEqual({ key, names: names(en[key]) });
    }
  });

  it('fills placeholders', () => {
    expect(format('en', 'page', { n: 3 })).toBe('Page 3');
    expect(format('ja', 'page', { n: 3 })).toBe('3 ページ目');
  });

  it('starts in the remembered language, else the browser’s Japanese, else English', () => {
    expect(initialLang('en', ['ja-JP'])).toBe('en');
    expect(initialLang(null, ['ja-JP', 'en'])).toBe('ja');
    expect(initialLang('xx', ['fr'])).toBe('en');
  });
});

describe('errors as sentences', () => {
  it('advises narrowing the range on scan_limit_exceeded', () => {
    const error = new ApiRequestError(422, 'scan_limit_exceeded', 'query scanned too much');
    expect(errorSentence('en', error)).toMatch(/Narrow the time range/);
    expect(errorSentence('ja', error)).toMatch(/期間を短く/);
  });

  it('tells how long to wait on too_many_queries (Retry-After)', () => {
    const error = new ApiRequestError(429, 'too_many_queries', 'busy', [], 7);
    expect(errorSentence('en', error)).toBe(
      'Too many searches are running for your organisation. Wait 7 seconds and try again.',
    );
  });

  it('lists the fields of an invalid request', () => {
    const error = new ApiRequestError(400, 'invalid_request', 'the request is not valid', [
      { field: 'to', message: 'must be after from' },
    ]);
    expect(errorSentence('en', error)).toBe('The search is not valid: to: must be after from');
  });

  it('sends a 401 back to sign-in, and words the rest', () => {
    expect(needsSignIn(new ApiRequestError(401, 'unauthorized', 'expired'))).toBe(true);
    expect(needsSignIn(new ApiRequestError(403, 'forbidden', 'scope'))).toBe(false);
    expect(errorSentence('en', new CancelledError())).toBe('The search was cancelled.');
    expect(errorSentence('en', new ApiRequestError(0, 'network', 'down'))).toMatch(/did not answer/);
    expect(errorSentence('en', new ApiRequestError(418, 'unexpected', 'teapot'))).toBe(
      'The request failed (418): teapot',
    );
  });
});

describe('tokens', () => {
  const now = Date.parse('2026-11-30T00:00:00Z');
  it('accepts a search token that has not expired', () => {
    const check = checkToken(jwt({ tid: 'acme-corp', scope: 'search', exp: now / 1000 + 60 }), now);
    expect(check).toEqual({
      ok: true,
      info: { tenant: 'acme-corp', scope: 'search', expiresAt: now + 60_000 },
    });
  });

  it('refuses an expired token, another scope and what is not a token', () => {
    expect(checkToken(jwt({ tid: 'acme-corp', scope: 'search', exp: now / 1000 }), now)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(checkToken(jwt({ tid: 'acme-corp', scope: 'ingest', exp: now / 1000 + 60 }), now)).toEqual({
      ok: false,
      reason: 'notSearch',
      scope: 'ingest',
    });
    for (const text of ['', 'abc', 'a.b.c', 'a.%%%.c', jwt({ scope: 'search' })]) {
      expect(checkToken(text, now)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('keeps the token in the given store and forgets it on clear', () => {
    const map = new Map<string, string>();
    const store = {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    };
    session.set(store, '  a.b.c \n');
    expect(session.get(store)).toBe('a.b.c');
    session.clear(store);
    expect(session.get(store)).toBeNull();
    expect(map.size).toBe(0);
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and starts with a BOM', () => {
    expect(
      toCsv(
        ['key', 'count'],
        [
          ['a,b', 1],
          ['say "hi"', 2],
          [null, 3],
          ['東京\nx', 4],
        ],
      ),
    ).toBe('\uFEFFkey,count\r\n"a,b",1\r\n"say ""hi""",2\r\n,3\r\n"東京\nx",4\r\n');
  });

  it('round-trips any cell through a CSV reader', () => {
    const read = (csv: string): string[][] => {
      const rows: string[][] = [[]];
      let cell = '';
      let quoted = false;
      const text = csv.replace(/^\uFEFF/, '');
      for (let i = 0; i < text.length; i += 1) {
        const c = text[i];
        if (quoted) {
          if (c === '"' && text[i + 1] === '"') {
            cell += '"';
            i += 1;
          } else if (c === '"') quoted = false;
          else cell += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') {
          rows[rows.length - 1]?.push(cell);
          cell = '';
        } else if (c === '\r' && text[i + 1] === '\n') {
          rows[rows.length - 1]?.push(cell);
          cell = '';
          rows.push([]);
          i += 1;
        } else cell += c;
      }
      rows.pop();
      return rows;
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 5 }), (rows) => {
        expect(read(toCsv(['a', 'b'], rows))).toEqual([['a', 'b'], ...rows]);
      }),
    );
  });
});

describe('time ranges', () => {
  it('parses --since durations', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('12h')).toBe(43_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('2w')).toBe(1_209_600_000);
    for (const bad of ['', '7', 'd', '0d', '-1d', '1y', '1.5h']) expect(parseDuration(bad)).toBeNull();
  });

  it('writes RFC 3339 with the local offset, which parses back to the same instant', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (d) => {
          const text = toLocalIso(d);
          expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/);
          expect(Date.parse(text)).toBe(d.getTime());
        },
      ),
    );
  });

  it('round-trips a datetime-local value', () => {
    const d = new Date(2026, 10, 24, 9, 15);
    expect(fromLocalInput(toLocalInput(d))?.getTime()).toBe(d.getTime());
    expect(fromLocalInput('2026-11-24')).toBeNull();
  });

  it('starts today at local midnight, and picks hour buckets for a few days only', () => {
    const now = new Date(2026, 10, 30, 15, 0);
    expect(presetRange('today', now).from).toEqual(new Date(2026, 10, 30));
    expect(presetRange('1h', now).from).toEqual(new Date(2026, 10, 30, 14, 0));
    expect(bucketFor(presetRange('1h', now))).toBe('hour');
    expect(bucketFor({ from: new Date(now.getTime() - 3 * 86_400_000), to: now })).toBe('hour');
    expect(bucketFor(presetRange('7d', now))).toBe('day');
    expect(bucketFor(presetRange('30d', now))).toBe('day');
  });
});
