/**
 * DELETE /v1/search/{queryId} over the local engine, for real: a slow query (a full scan of a
 * large raw file for text that is nowhere) is interrupted inside DuckDB, its slot is free at once,
 * GET then answers 410 `query_cancelled`, and a second DELETE answers the same. A query that has
 * already ended answers its final state and stays readable; another tenant gets 404.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { SearchQuery } from '../../shared/query/request.js';
import { writeBigRaw } from '../fixtures/slow-lake.js';
import { handlerOf, httpEvent, lambdaContext, localDeps, tempLake, token } from './helpers.js';

const DAY = '2026-11-20';
const RANGE = { from: `${DAY}T00:00:00Z`, to: '2026-11-21T00:00:00Z' };
/** Text no event holds: the query reads every line of the big file. */
const SLOW = { ...RANGE, filters: { text: 'nowhere-to-be-found' } };
/** Lines of the big raw file (about 110 MB: seconds of DuckDB work on one thread). */
const LINES = 300_000;

describe('cancelling a search (local engine, real DuckDB)', () => {
  let lake: { root: string; cleanup: () => Promise<void> };
  let acme: string;
  let beta: string;

  beforeAll(async () => {
    lake = await tempLake();
    await writeBigRaw(lake.root, 'acme-corp', DAY, LINES, 'big.jsonl');
    await writeBigRaw(lake.root, 'beta-inc', DAY, 3, 'small.jsonl');
    acme = await token('acme-corp');
    beta = await token('beta-inc');
  }, 60_000);
  afterAll(async () => {
    await lake.cleanup();
  });

  type Deps = ReturnType<typeof localDeps>;
  async function call(deps: Deps, method: string, path: string, tokenOf: string, body?: unknown) {
    const result = (await handlerOf(deps)(
      httpEvent(method, path, { token: tokenOf, ...(body === undefined ? {} : { body }) }),
      lambdaContext,
    )) as APIGatewayProxyStructuredResultV2;
    return {
      status: result.statusCode ?? 0,
      body: JSON.parse(String(result.body)) as Record<string, unknown>,
    };
  }
  const code = (body: Record<string, unknown>) => (body.error as { code: string }).code;

  it('interrupts the running query in DuckDB, frees its slot at once, then GET answers 410', async () => {
    // Prepare: one slot per tenant, answers 202 at once.
    const deps = localDeps(lake.root, { maxConcurrent: 1, waitBudgetMs: 0 });
    const started = await call(deps, 'POST', '/v1/search', acme, SLOW);
    const queryId = started.body.queryId as string;
    const path = `/v1/search/${queryId}`;
    const stillRunning = await call({ ...deps, waitBudgetMs: 200 }, 'GET', path, acme);
    const refused = await call(deps, 'POST', '/v1/search', acme, RANGE);
    // Act
    const cancelled = await call(deps, 'DELETE', path, acme);
    // Assess: DuckDB itself gave the query up (its interrupt error, not a finished scan)...
    expect(started.status).toBe(202);
    expect(stillRunning.status).toBe(202);
    expect(refused.status).toBe(429);
    expect(cancelled).toEqual({ status: 200, body: { queryId, status: 'cancelled' } });
    const record = { queryId, tenantId: 'acme-corp', kind: 'search' as const, leaseId: null, expiresAt: 0 };
    await expect(
      deps.engine.poll({ ...record, query: { ...SLOW, limit: 100 } as unknown as SearchQuery }, 0),
    ).rejects.toThrow(/interrupt/i);
    // ...the slot is free at once, GET says cancelled, a second DELETE answers the same.
    const next = await call(deps, 'POST', '/v1/search', acme, { ...RANGE, limit: 1 });
    const got = await call(deps, 'GET', path, acme);
    const again = await call(deps, 'DELETE', path, acme);
    expect(next.status).toBe(202);
    expect(got.status).toBe(410);
    expect(code(got.body)).toBe('query_cancelled');
    expect(again).toEqual({ status: 200, body: { queryId, status: 'cancelled' } });
    await call(deps, 'DELETE', `/v1/search/${next.body.queryId as string}`, acme);
    await deps.engine.close();
  }, 60_000);

  it("answers 404 to another tenant's DELETE and leaves the query running", async () => {
    const deps = localDeps(lake.root, { waitBudgetMs: 0 });
    const started = await call(deps, 'POST', '/v1/search', acme, SLOW);
    const path = `/v1/search/${started.body.queryId as string}`;
    // Act
    const stranger = await call(deps, 'DELETE', path, beta);
    const unknown = await call(deps, 'DELETE', '/v1/search/00000000-0000-0000-0000-000000000000', acme);
    const malformed = await call(deps, 'DELETE', '/v1/search/not%20an%20id', acme);
    const owner = await call({ ...deps, waitBudgetMs: 100 }, 'GET', path, acme);
    // Assess
    for (const answer of [stranger, unknown, malformed]) {
      expect(answer.status).toBe(404);
      expect(code(answer.body)).toBe('not_found');
    }
    expect(owner.status).toBe(202);
    expect((await call(deps, 'DELETE', path, acme)).body.status).toBe('cancelled');
    await deps.engine.close();
  }, 60_000);

  it('answers a query that already ended with its final state, and changes nothing', async () => {
    const deps = localDeps(lake.root, { maxConcurrent: 1, waitBudgetMs: 0 });
    const started = await call(deps, 'POST', '/v1/search', beta, RANGE);
    const queryId = started.body.queryId as string;
    const path = `/v1/search/${queryId}`;
    let done = await call({ ...deps, waitBudgetMs: 5_000 }, 'GET', path, beta);
    for (let i = 0; done.status === 202 && i < 50; i++)
      done = await call({ ...deps, waitBudgetMs: 200 }, 'GET', path, beta);
    // Act
    const ended = await call(deps, 'DELETE', path, beta);
    const after = await call(deps, 'GET', path, beta);
    // Assess
    expect(done.status).toBe(200);
    expect(ended).toEqual({ status: 200, body: { queryId, status: 'succeeded' } });
    expect(after).toEqual(done);
    expect((after.body.events as unknown[]).length).toBe(3);
    expect((await call(deps, 'POST', '/v1/search', beta, RANGE)).status).toBe(202);
    await deps.engine.close();
  }, 60_000);
});
