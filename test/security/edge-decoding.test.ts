/**
 * What the edges decode or look up by, from outside (docs/security.md T6): a cursor naming an
 * inherited property (`__proto__`, `constructor`, `toString`) as its key id, a query id path with
 * a malformed percent-encoding, random cursors, query id segments and tokens. Each answers the
 * contract's 4xx (400 invalid_request for a cursor, 404 not_found for a query id that names no
 * query of the caller's, 401 for a token), never a 500, on the AWS handler (a function URL event)
 * and on the local server (Hono, in process) alike.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { InvalidRequestError } from '../../shared/errors.js';
import { toFunctionUrlEvent } from '../../shared/local/server/http-event.js';
import { verifyCursor } from '../../shared/query/cursor.js';
import { handlerOf, httpEvent, KEYS, lambdaContext, localDeps, tempLake, token } from '../search/helpers.js';
import { errorCode as codeOf, type SecurityKit, securityKit } from './kit.js';

const RANGE = { from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z' };
const INHERITED = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const BAD_QUERY_IDS = ['%E0%A4%A', '%', '%zz', '%C0%80', '%ED%A0%80', 'q-%FF'];

/** A cursor of the right shape whose payload names `kid` as its key id (the MAC is junk). */
function cursorWithKid(kid: string, tenantId = 'acme-corp'): string {
  const payload = {
    v: 1,
    k: kid,
    t: tenantId,
    f: 'x',
    p: { kind: 'results', executionId: 'q', nextToken: 't' },
  };
  return `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${'A'.repeat(43)}`;
}

function errorCode(body: unknown): unknown {
  return (JSON.parse(String(body)) as { error?: { code?: unknown } }).error?.code;
}

describe('cursor key ids', () => {
  it.each(INHERITED)('a cursor signed "with" %s is 400 invalid_request, not a TypeError', (kid) => {
    expect(() => verifyCursor(KEYS, cursorWithKid(kid), 'acme-corp', 'x')).toThrow(InvalidRequestError);
  });

  it('any string as a cursor is refused with InvalidRequestError and nothing else', () => {
    const kids = fc.oneof(fc.constantFrom(...INHERITED, KEYS.activeKid), fc.string());
    const forged = kids.chain((kid) =>
      fc.record({ kid: fc.constant(kid), p: fc.anything(), v: fc.anything() }).map(({ kid: k, p, v }) => {
        const body = Buffer.from(JSON.stringify({ v, k, t: 'acme-corp', f: 'x', p }) ?? 'null');
        return `${body.toString('base64url')}.${'A'.repeat(43)}`;
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), forged), (cursor) => {
        expect(() => verifyCursor(KEYS, cursor, 'acme-corp', 'x')).toThrow(InvalidRequestError);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the search function URL handler (AWS)', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let handler: ReturnType<typeof handlerOf>;
  beforeAll(async () => {
    lake = await tempLake();
    handler = handlerOf(localDeps(lake.root));
  });
  afterAll(async () => {
    await lake.cleanup();
  });

  it.each(INHERITED)('POST /v1/search with a cursor whose kid is %s: 400 invalid_request', async (kid) => {
    const event = httpEvent('POST', '/v1/search', {
      token: await token('acme-corp'),
      body: { ...RANGE, cursor: cursorWithKid(kid) },
    });
    const answer = await handler(event, lambdaContext);
    expect(answer.statusCode).toBe(400);
    expect(errorCode(answer.body)).toBe('invalid_request');
  });

  it.each(
    BAD_QUERY_IDS.flatMap((id) => [
      ['GET', id],
      ['DELETE', id],
    ]),
  )('%s /v1/search/%s (not percent-decodable): 404 not_found, after the token check', async (method, id) => {
    const withToken = await handler(
      httpEvent(method, `/v1/search/${id}`, { token: await token('acme-corp') }),
      lambdaContext,
    );
    const without = await handler(httpEvent(method, `/v1/search/${id}`), lambdaContext);
    expect(withToken.statusCode).toBe(404);
    expect(errorCode(withToken.body)).toBe('not_found');
    expect(without.statusCode).toBe(401);
  });

  it('any query id segment, cursor or token answers a 4xx, never a 5xx', async () => {
    const search = await token('acme-corp');
    const silence = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const segment = fc.string({ minLength: 1 }).filter((s) => !s.includes('/'));
    // A bearer of random text, or a JWT's shape with JSON parts (kids named like Object.prototype's).
    const part = (value: unknown) => Buffer.from(JSON.stringify(value) ?? '').toString('base64url');
    const jwt = fc
      .tuple(
        fc.record({
          alg: fc.constantFrom('HS256', 'none', 'ES256'),
          kid: fc.constantFrom(...INHERITED, 'k-x'),
        }),
        fc.jsonValue(),
        fc.string(),
      )
      .map(
        ([header, payload, mac]) =>
          `${part(header)}.${part(payload)}.${Buffer.from(mac).toString('base64url')}`,
      );
    try {
      await fc.assert(
        fc.asyncProperty(segment, fc.string(), fc.oneof(fc.string(), jwt), async (id, cursor, bearer) => {
          const get = await handler(httpEvent('GET', `/v1/search/${id}`, { token: search }), lambdaContext);
          const page = await handler(
            httpEvent('POST', '/v1/search', { token: search, body: { ...RANGE, cursor: cursor || 'x' } }),
            lambdaContext,
          );
          const forged = await handler(
            httpEvent('POST', '/v1/search', { body: RANGE, headers: { authorization: `Bearer ${bearer}` } }),
            lambdaContext,
          );
          expect([get.statusCode, page.statusCode, forged.statusCode]).toEqual([404, 400, 401]);
        }),
        { numRuns: 200 },
      );
    } finally {
      silence.mockRestore();
    }
  });
  it('any JSON body, with keys named like Object.prototype members, answers 200 or a 4xx', async () => {
    const search = await token('acme-corp');
    const keys = [
      '__proto__',
      'constructor',
      'toString',
      'from',
      'to',
      'filters',
      'cursor',
      'limit',
      'types',
      'groupBy',
    ];
    const body = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(
        fc.constantFrom(...keys),
        fc.oneof(fc.jsonValue(), fc.constantFrom(RANGE.from, RANGE.to)),
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('/v1/search', '/v1/aggregate'), async (value, route) => {
        const answer = await handler(
          httpEvent('POST', route, { token: search, rawBody: JSON.stringify(value) }),
          lambdaContext,
        );
        expect([200, 400]).toContain(answer.statusCode);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the local server (Hono)', () => {
  let kit: SecurityKit;
  beforeAll(async () => {
    kit = await securityKit();
  });
  afterAll(async () => {
    await kit.close();
  });

  it.each(INHERITED)('POST /v1/search with a cursor whose kid is %s: 400 invalid_request', async (kid) => {
    const answer = await kit.request('POST', '/v1/search', {
      token: await kit.token('acme-corp', 'search'),
      body: JSON.stringify({ ...RANGE, cursor: cursorWithKid(kid) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(400);
    expect(codeOf(answer.json)).toBe('invalid_request');
  });

  it.each(
    BAD_QUERY_IDS.flatMap((id) => [
      ['GET', id],
      ['DELETE', id],
    ]),
  )(
    '%s /v1/search/%s (not percent-decodable): 404 not_found after the token check, as on AWS',
    async (method, id) => {
      const withToken = await kit.request(method, `/v1/search/${id}`, {
        token: await kit.token('acme-corp', 'search'),
      });
      const without = await kit.request(method, `/v1/search/${id}`);
      expect(withToken.status).toBe(404);
      expect(codeOf(withToken.json)).toBe('not_found');
      expect(without.status).toBe(401);
    },
  );

  it.each(BAD_QUERY_IDS)(
    'DELETE /v1/admin/tenants/%s (not percent-decodable): 400 invalid_request',
    async (id) => {
      const answer = await kit.request('DELETE', `/v1/admin/tenants/${id}`, {
        token: await kit.token(null, 'admin'),
      });
      expect(answer.status).toBe(400);
      expect(codeOf(answer.json)).toBe('invalid_request');
    },
  );

  it('any query id segment answers 404 with a token and 401 without, never a 5xx', async () => {
    const search = await kit.token('acme-corp', 'search');
    // What a client can put in one path segment: printable ASCII but the separators, and `%`.
    const char = fc.constantFrom(..."%%%0123456789abcdefABCDEF-_.~!$&'()*+,;=:@".split(''));
    const segment = fc
      .string({ unit: char, minLength: 1, maxLength: 12 })
      .filter((s) => s !== '.' && s !== '..');
    await fc.assert(
      fc.asyncProperty(segment, async (id) => {
        const withToken = await kit.request('GET', `/v1/search/${id}`, { token: search });
        const without = await kit.request('GET', `/v1/search/${id}`);
        expect([withToken.status, without.status]).toEqual([404, 401]);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps query parameters named like Object.prototype members as parameters', async () => {
    const event = await toFunctionUrlEvent(
      new Request('http://127.0.0.1/v1/admin/usage?constructor=a&__proto__=b&toString=c&toString=d'),
    );
    expect(Object.entries(event.queryStringParameters ?? {})).toEqual([
      ['constructor', 'a'],
      ['__proto__', 'b'],
      ['toString', 'c,d'],
    ]);
  });
});
