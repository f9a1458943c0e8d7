/**
 * Tenant isolation on every route local mode serves (docs/security.md I1-I4, E1-E2): tenant A's
 * data, cursor and query id, tried with tenant B's tokens (every scope) and the operator's admin
 * token on every route of the route table (built-ins and plugins, so a route added later is tried
 * too), with every path parameter set to A's identifiers. No answer is a 5xx, none carries a byte
 * of A, A's cursor and query id answer 400/403/404, and A's data is the same afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Route } from '../../shared/local/server/routes.js';
import { type Answer, errorCode, type SecurityKit, securityKit } from './kit.js';

const A = 'acme-corp';
const B = 'other-corp';
const MARKER = 'SECRET-OF-ACME-7f3a9c';
const RANGE = { from: '2026-11-24T00:00:00Z', to: '2026-11-25T00:00:00Z' };

describe('cross-tenant: tenant B and the operator against tenant A', () => {
  let kit: SecurityKit;
  let aSearch: string;
  let aCursor: string;
  let aQueryId: string;
  let aEvents: unknown[];

  /** A's search, past the wait budget (0 here, so every query gets an id): 202, then the result. */
  async function searchA(body: Record<string, unknown>): Promise<{ queryId: string; page: Answer }> {
    const started = await kit.request('POST', '/v1/search', {
      token: aSearch,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...RANGE, ...body }),
    });
    const queryId = (started.json as { queryId?: string; stats?: { queryId: string } }).queryId;
    if (started.status === 200 || !queryId) throw new Error(`expected 202 with a query id: ${started.text}`);
    for (let i = 0; i < 200; i++) {
      const page = await kit.request('GET', `/v1/search/${queryId}`, { token: aSearch });
      if (page.status === 200) return { queryId, page };
      expect(page.status).toBe(202);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('query did not finish');
  }

  async function allOfA(): Promise<unknown[]> {
    return ((await searchA({ limit: 1000 })).page.json as { events: unknown[] }).events;
  }

  beforeAll(async () => {
    kit = await securityKit({ waitBudgetMs: 0 });
    const aIngest = await kit.token(A, 'ingest', 'pc-a');
    aSearch = await kit.token(A, 'search');
    const events = Array.from({ length: 5 }, (_, i) => ({
      eventId: `a-${i}`,
      type: 'web',
      ts: `2026-11-24T0${i}:00:00Z`,
      user: `${MARKER}-user`,
      url: `https://${MARKER.toLowerCase()}.example.co.jp/${MARKER}`,
      title: `${MARKER} ${i}`,
      secret: MARKER,
    }));
    const ingested = await kit.request('POST', '/v1/events', {
      token: aIngest,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ batchId: 'a-batch', events }),
    });
    expect(ingested.status).toBe(202);
    await kit.runtime.flush();
    const first = await searchA({ limit: 2 });
    const body = first.page.json as { nextCursor: string | null };
    if (!body.nextCursor) throw new Error('A has no second page');
    aCursor = body.nextCursor;
    aQueryId = first.queryId;
    aEvents = await allOfA();
    expect(aEvents).toHaveLength(5);
    expect(JSON.stringify(aEvents)).toContain(MARKER);
  });
  afterAll(async () => {
    await kit.close();
  });

  /** Every way to call `route` with A's identifiers in its path and in its body. */
  function attempts(route: Route): { path: string; body?: string; carriesA: boolean }[] {
    const params = route.path.match(/\{[^}]+\}/g) ?? [];
    const paths =
      params.length === 0
        ? [route.path]
        : [aQueryId, A, encodeURIComponent(aCursor)].map((v) =>
            params.reduce((p, name) => p.replace(name, v), route.path),
          );
    const bodies: { body?: string; carriesA: boolean }[] =
      route.method === 'GET' || route.method === 'DELETE'
        ? [{ carriesA: false }]
        : [
            { body: JSON.stringify({ ...RANGE, cursor: aCursor }), carriesA: true },
            { body: JSON.stringify({ ...RANGE, queryId: aQueryId, tenantId: A }), carriesA: false },
            { body: JSON.stringify({ ...RANGE, groupBy: 'user' }), carriesA: false },
            {
              body: JSON.stringify({
                batchId: 'b-batch',
                tenantId: A,
                events: [{ type: 'app', ts: '2026-11-24T01:00:00Z', app: 'x.exe' }],
              }),
              carriesA: false,
            },
            { body: '{}', carriesA: false },
          ];
    return paths.flatMap((path) =>
      bodies.map((b) => ({
        path,
        ...(b.body === undefined ? {} : { body: b.body }),
        carriesA: b.carriesA || params.length > 0,
      })),
    );
  }

  it('answers no 5xx and no byte of A on any route, to any token of B or the operator', async () => {
    const tokens = {
      'B ingest': await kit.token(B, 'ingest', 'pc-b'),
      'B search': await kit.token(B, 'search'),
      'B ingest (no device)': await kit.token(B, 'ingest'),
      operator: await kit.token(null, 'admin'),
    };
    const routes = kit.routes.list();
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/events',
        'POST /v1/search',
        'GET /v1/search/{id}',
        'POST /v1/aggregate',
      ]),
    );
    const tried: string[] = [];
    for (const route of routes) {
      const admin = route.path.startsWith('/v1/admin/');
      for (const [who, token] of Object.entries(tokens)) {
        // The operator's own routes act on every tenant by design (flush, nightly, tenant delete);
        // what matters there is that B's tokens cannot use them.
        if (admin && who === 'operator') continue;
        for (const attempt of attempts(route)) {
          const answer: Answer = await kit.request(route.method, attempt.path, {
            token,
            headers: { 'content-type': 'application/json' },
            ...(attempt.body === undefined ? {} : { body: attempt.body }),
          });
          const what = `${who} ${route.method} ${attempt.path} ${attempt.body ?? ''} -> ${answer.status} ${answer.text.slice(0, 200)}`;
          tried.push(what);
          expect({ what, fault: answer.status >= 500 }).toEqual({ what, fault: false });
          expect({ what, leaks: answer.text.includes(MARKER) || answer.text.includes(A) }).toEqual({
            what,
            leaks: false,
          });
          if (admin || who === 'operator' || attempt.carriesA) {
            expect({ what, refused: [400, 401, 403, 404].includes(answer.status) }).toEqual({
              what,
              refused: true,
            });
            if (answer.status !== 400)
              expect(['unauthorized', 'forbidden', 'not_found']).toContain(errorCode(answer.json));
          }
        }
      }
    }
    expect(tried.length).toBeGreaterThan(40);
  });

  it("answers 404 to A's query id and 400 to A's cursor with B's search token", async () => {
    const bSearch = await kit.token(B, 'search');
    const byId = await kit.request('GET', `/v1/search/${aQueryId}`, { token: bSearch });
    expect([byId.status, errorCode(byId.json)]).toEqual([404, 'not_found']);
    const ownById = await kit.request('GET', `/v1/search/${aQueryId}`, { token: aSearch });
    expect(ownById.status).toBe(200);
    const withCursor = await kit.request('POST', '/v1/search', {
      token: bSearch,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...RANGE, cursor: aCursor }),
    });
    expect([withCursor.status, errorCode(withCursor.json)]).toEqual([400, 'invalid_request']);
  });

  it("leaves A's data as it was, and B's ingest lands in B's partitions only", async () => {
    await kit.runtime.flush();
    expect(await allOfA()).toEqual(aEvents);
    const objects: string[] = [];
    for await (const object of kit.runtime.store.list('raw/')) objects.push(object.key);
    const tenants = new Set(objects.map((key) => /tenant_id=([^/]+)/.exec(key)?.[1]));
    expect([...tenants].sort()).toEqual([A, B]);
    for (const key of objects.filter((k) => k.includes(`tenant_id=${A}/`))) {
      const bytes = await kit.runtime.store.get(key);
      expect(bytes).not.toBeNull();
    }
  });
});
