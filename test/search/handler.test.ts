/**
 * The search function URL handler over the local engine: tenant isolation (search, aggregate,
 * cursor, queryId), SQL-looking filter values matched literally, and every error of the
 * contract's table that applies to search, with its status and code.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { newKeySet } from '../../shared/auth/tokens.js';
import type { StoredEvent } from '../../shared/domain/event.js';
import { writeLake } from '../fixtures/search-lake.js';
import {
  handlerOf,
  httpEvent,
  type LocalOptions,
  lambdaContext,
  localDeps,
  tempLake,
  token,
} from './helpers.js';

const DAY = '2026-11-20';
function ev(tenant: string, id: string, over: Partial<StoredEvent> = {}): StoredEvent {
  return {
    event_id: id,
    tenant_id: tenant,
    dt: DAY,
    type: 'app',
    ts: `${DAY}T01:00:00.000Z`,
    device_id: 'pc-001',
    user: 'yamada',
    host: 'PC-001',
    app: 'excel.exe',
    title: 'budget.xlsx',
    url: null,
    domain: null,
    path: null,
    op: null,
    duration_ms: 1000,
    attrs: null,
    batch_id: 'b-1',
    received_at: `${DAY}T01:00:05.000Z`,
    event_pos: null,
    ...over,
  };
}

const RANGE = { from: '2026-11-20T00:00:00+09:00', to: '2026-11-21T09:00:00+09:00' };

describe('search handler (local engine)', () => {
  let lake: { root: string; cleanup: () => Promise<void> };
  let acme: string;
  let beta: string;

  beforeAll(async () => {
    lake = await tempLake();
    await writeLake(lake.root, [
      { area: 'parquet', event: ev('acme-corp', 'e-1', { ts: `${DAY}T01:00:00.000Z` }) },
      { area: 'raw', event: ev('acme-corp', 'e-2', { ts: `${DAY}T02:00:00.000Z`, title: "' OR 1=1 --" }) },
      { area: 'raw', event: ev('acme-corp', 'e-3', { ts: `${DAY}T03:00:00.000Z`, title: '100% done_now' }) },
      { area: 'raw', event: ev('acme-corp', 'e-4', { ts: `${DAY}T04:00:00.000Z`, title: '100 percent' }) },
      { area: 'parquet', event: ev('beta-inc', 'e-1', { title: 'beta secret' }) },
      { area: 'raw', event: ev('beta-inc', 'e-9', { title: 'beta secret 2' }) },
    ]);
    acme = await token('acme-corp');
    beta = await token('beta-inc');
  });
  afterAll(async () => {
    await lake.cleanup();
  });

  async function call(
    method: string,
    path: string,
    options: Parameters<typeof httpEvent>[2] = {},
    deps = localDeps(lake.root),
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
    const result = (await handlerOf(deps)(
      httpEvent(method, path, options),
      lambdaContext,
    )) as APIGatewayProxyStructuredResultV2;
    return {
      status: result.statusCode ?? 0,
      body: JSON.parse(String(result.body)) as Record<string, unknown>,
      headers: (result.headers ?? {}) as Record<string, unknown>,
    };
  }
  const ids = (body: Record<string, unknown>) => (body.events as { eventId: string }[]).map((e) => e.eventId);
  const errorCode = (body: Record<string, unknown>) => (body.error as { code: string }).code;

  it('answers a tenant with its own events only, with stats', async () => {
    // Act
    const a = await call('POST', '/v1/search', { token: acme, body: RANGE });
    const b = await call('POST', '/v1/search', { token: beta, body: RANGE });
    // Assess
    expect(a.status).toBe(200);
    // newest first (the default order); equal ts: event_id descending
    expect(ids(a.body)).toEqual(['e-4', 'e-3', 'e-2', 'e-1']);
    expect(ids(b.body)).toEqual(['e-9', 'e-1']);
    expect((b.body.events as { title: string }[])[1]?.title).toBe('beta secret');
    expect(a.body.stats).toMatchObject({ engine: 'duckdb', scannedBytes: expect.any(Number) });
    expect((a.body.stats as { scannedBytes: number }).scannedBytes).toBeGreaterThan(0);
  });

  it('aggregates a tenant over its own events only', async () => {
    // Act
    const a = await call('POST', '/v1/aggregate', { token: acme, body: { ...RANGE, groupBy: 'user' } });
    // Assess
    expect(a.status).toBe(200);
    expect(a.body.rows).toEqual([{ key: 'yamada', count: 4, durationMs: 4000 }]);
  });

  it.each([
    ["' OR 1=1 --", ['e-2']],
    ['%', ['e-3']],
    ['_', ['e-3']],
    ['100%', ['e-3']],
  ])('matches the text filter %p literally', async (text, expected) => {
    // Act
    const a = await call('POST', '/v1/search', { token: acme, body: { ...RANGE, filters: { text } } });
    // Assess
    expect(a.status).toBe(200);
    expect(ids(a.body)).toEqual(expected);
  });

  it("matches a user filter of ' OR 1=1 -- literally (nothing)", async () => {
    const a = await call('POST', '/v1/search', {
      token: acme,
      body: { ...RANGE, filters: { user: "' OR 1=1 --" } },
    });
    expect(a.status).toBe(200);
    expect(ids(a.body)).toEqual([]);
  });

  it('rejects a cursor of another tenant, of another query, or tampered with (400)', async () => {
    // Prepare
    const first = await call('POST', '/v1/search', { token: acme, body: { ...RANGE, limit: 1 } });
    const cursor = first.body.nextCursor as string;
    expect(typeof cursor).toBe('string');
    // Act
    const otherTenant = await call('POST', '/v1/search', {
      token: beta,
      body: { ...RANGE, limit: 1, cursor },
    });
    const otherQuery = await call('POST', '/v1/search', {
      token: acme,
      body: { ...RANGE, order: 'asc', cursor },
    });
    const [payload, mac] = cursor.split('.') as [string, string];
    const forged = Buffer.from(
      Buffer.from(payload, 'base64url').toString().replace('acme-corp', 'beta-inc'),
    ).toString('base64url');
    const tampered = await call('POST', '/v1/search', {
      token: beta,
      body: { ...RANGE, cursor: `${forged}.${mac}` },
    });
    const garbage = await call('POST', '/v1/search', { token: acme, body: { ...RANGE, cursor: 'nope' } });
    const next = await call('POST', '/v1/search', { token: acme, body: { ...RANGE, limit: 1, cursor } });
    // Assess
    for (const answer of [otherTenant, otherQuery, tampered, garbage]) {
      expect(answer.status).toBe(400);
      expect(errorCode(answer.body)).toBe('invalid_request');
    }
    expect(ids(next.body)).toEqual(['e-3']);
  });

  it('answers 202 past the wait budget, then the result to its tenant and 404 to another', async () => {
    // Prepare
    const deps = localDeps(lake.root, { waitBudgetMs: 0 });
    // Act
    const started = await call('POST', '/v1/search', { token: acme, body: RANGE }, deps);
    const queryId = started.body.queryId as string;
    let polled = await call('GET', `/v1/search/${queryId}`, { token: acme }, { ...deps, waitBudgetMs: 5000 });
    const stranger = await call('GET', `/v1/search/${queryId}`, { token: beta }, deps);
    const unknown = await call(
      'GET',
      '/v1/search/00000000-0000-0000-0000-000000000000',
      { token: acme },
      deps,
    );
    // Assess
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ queryId, status: 'running' });
    for (let i = 0; polled.status === 202 && i < 50; i++) {
      polled = await call('GET', `/v1/search/${queryId}`, { token: acme }, { ...deps, waitBudgetMs: 100 });
    }
    expect(polled.status).toBe(200);
    expect(ids(polled.body)).toEqual(['e-4', 'e-3', 'e-2', 'e-1']);
    expect(stranger.status).toBe(404);
    expect(errorCode(stranger.body)).toBe('not_found');
    expect(unknown.status).toBe(404);
  });

  it('answers 422 scan_limit_exceeded when the bytes read exceed the cutoff, with advice', async () => {
    const deps = localDeps(lake.root, { scanCutoffBytes: 10 });
    const a = await call('POST', '/v1/search', { token: acme, body: RANGE }, deps);
    const g = await call('POST', '/v1/aggregate', { token: acme, body: { ...RANGE, groupBy: 'app' } }, deps);
    for (const answer of [a, g]) {
      expect(answer.status).toBe(422);
      expect(errorCode(answer.body)).toBe('scan_limit_exceeded');
      expect((answer.body.error as { message: string }).message).toMatch(/narrow/);
    }
  });

  it('answers 429 too_many_queries with Retry-After when the tenant has no free slot, others unaffected', async () => {
    // Prepare: one slot, held by a query that answered 202 and nobody polled.
    const options: LocalOptions = { maxConcurrent: 1, waitBudgetMs: 0 };
    const deps = localDeps(lake.root, options);
    const running = await call('POST', '/v1/search', { token: acme, body: RANGE }, deps);
    // Act
    const refused = await call('POST', '/v1/search', { token: acme, body: RANGE }, deps);
    const other = await call(
      'POST',
      '/v1/search',
      { token: beta, body: RANGE },
      { ...deps, waitBudgetMs: 5000 },
    );
    // Assess
    expect(running.status).toBe(202);
    expect(refused.status).toBe(429);
    expect(errorCode(refused.body)).toBe('too_many_queries');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(other.status).toBe(200);
  });

  it.each([
    ['unknown field', { ...RANGE, color: 'red' }],
    ['unknown filter', { ...RANGE, filters: { ip: '1.2.3.4' } }],
    ['from after to', { from: RANGE.to, to: RANGE.from }],
    ['no offset', { from: '2026-11-20T00:00:00', to: RANGE.to }],
    ['over five years', { from: '2020-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }],
    ['limit 0', { ...RANGE, limit: 0 }],
    ['limit 1001', { ...RANGE, limit: 1001 }],
    ['bad type', { ...RANGE, types: ['mail'] }],
    ['bad order', { ...RANGE, order: 'up' }],
  ])('answers 400 invalid_request with details for %s', async (_name, body) => {
    const a = await call('POST', '/v1/search', { token: acme, body });
    expect(a.status).toBe(400);
    expect(errorCode(a.body)).toBe('invalid_request');
  });

  it('answers 400 for malformed JSON and a bad aggregate groupBy', async () => {
    const a = await call('POST', '/v1/search', { token: acme, rawBody: '{"from":' });
    const g = await call('POST', '/v1/aggregate', { token: acme, body: { ...RANGE, groupBy: 'color' } });
    expect([a.status, g.status]).toEqual([400, 400]);
    expect((g.body.error as { details: unknown[] }).details.length).toBeGreaterThan(0);
  });

  it('answers 401 without a token, with a forged one, and 403 to admin and ingest tokens', async () => {
    const none = await call('POST', '/v1/search', { body: RANGE });
    const forged = await call('POST', '/v1/search', {
      token: await token('acme-corp', 'search', newKeySet('k-evil')),
      body: RANGE,
    });
    const admin = await call('POST', '/v1/search', { token: await token(null, 'admin'), body: RANGE });
    const adminAgg = await call('POST', '/v1/aggregate', {
      token: await token(null, 'admin'),
      body: { ...RANGE, groupBy: 'app' },
    });
    const ingest = await call('GET', '/v1/search/abc', { token: await token('acme-corp', 'ingest') });
    expect([none.status, forged.status]).toEqual([401, 401]);
    expect(errorCode(none.body)).toBe('unauthorized');
    expect([admin.status, adminAgg.status, ingest.status]).toEqual([403, 403, 403]);
    expect(errorCode(admin.body)).toBe('forbidden');
  });

  it('answers 404 for an unknown route', async () => {
    const a = await call('DELETE', '/v1/search', { token: acme });
    const b = await call('POST', '/v1/searches', { token: acme, body: RANGE });
    expect([a.status, b.status]).toEqual([404, 404]);
    expect(errorCode(a.body)).toBe('not_found');
  });
});
