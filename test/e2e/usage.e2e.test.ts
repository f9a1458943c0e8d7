/**
 * Usage per tenant and day matches what was sent and searched: two tenants ingest over HTTP
 * (a JSON batch with one invalid event, a batch with no valid event, an NDJSON body, replays),
 * flush, search and
 * aggregate, run the nightly conversion; GET /v1/admin/usage then counts exactly that, and the
 * bytes stored are the lake's own. Real files, real DuckDB, the same routes as `make dev`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Hono } from 'hono';
import { closeLocalEngines } from '../../functions/search/local.js';
import { signToken } from '../../shared/auth/tokens.js';
import { readLocalConfig } from '../../shared/local/runtime/config.js';
import { createLocalRuntime, type LocalRuntime } from '../../shared/local/runtime/runtime.js';
import { applyRoutePlugins } from '../../shared/local/server/route-plugins.js';
import { createApp, defaultRoutes } from '../../shared/local/server/server.js';
import type { UsageRow } from '../../shared/usage/read-usage.js';

const TODAY = new Date().toISOString().slice(0, 10);
const ts = (minute: number) => `${TODAY}T01:${String(minute).padStart(2, '0')}:00.000Z`;

describe('usage per tenant and day', () => {
  let dataDir: string;
  let runtime: LocalRuntime;
  let app: Hono;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-usage-'));
    runtime = await createLocalRuntime({ dataDir, background: false, logLevel: 'SILENT' });
    const routes = defaultRoutes(runtime);
    applyRoutePlugins(readLocalConfig({}))(routes, runtime);
    app = createApp(routes, runtime);
    const keys = await runtime.keys.load();
    tokens.admin = await signToken(keys, { tenantId: null, scope: 'admin', ttlSeconds: 600 });
    for (const t of ['acme-corp', 'beta-inc']) {
      tokens[`${t}:ingest`] = await signToken(keys, {
        tenantId: t,
        scope: 'ingest',
        sub: 'pc-001',
        ttlSeconds: 600,
      });
      tokens[`${t}:search`] = await signToken(keys, { tenantId: t, scope: 'search', ttlSeconds: 600 });
    }
  });
  afterAll(async () => {
    await runtime.close();
    await closeLocalEngines();
    await rm(dataDir, { recursive: true, force: true });
  });

  const call = (
    method: string,
    path: string,
    token: string | undefined,
    body?: string,
    type = 'application/json',
  ) =>
    app.request(`http://127.0.0.1${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': type },
      ...(body === undefined ? {} : { body }),
    });
  const usage = async (query = ''): Promise<UsageRow[]> => {
    const res = await call('GET', `/v1/admin/usage${query}`, tokens.admin);
    expect(res.status).toBe(200);
    return ((await res.json()) as { rows: UsageRow[] }).rows;
  };

  it('counts accepted and rejected events once, searches and bytes scanned, conversions and bytes stored', async () => {
    // Prepare: acme sends a JSON batch (10 valid, 1 invalid) twice and a batch of 2 invalid events
    // twice (422), beta 5 valid NDJSON lines
    const events = Array.from({ length: 10 }, (_, i) => ({
      type: 'app',
      ts: ts(i),
      app: 'excel.exe',
      user: 'yamada',
    }));
    const batch = JSON.stringify({ batchId: 'b-1', events: [...events, { type: 'app', ts: ts(30) }] });
    expect((await call('POST', '/v1/events', tokens['acme-corp:ingest'], batch)).status).toBe(202);
    expect((await call('POST', '/v1/events', tokens['acme-corp:ingest'], batch)).status).toBe(202); // replay
    const invalid = JSON.stringify({
      batchId: 'b-2',
      events: [
        { type: 'app', ts: ts(40) },
        { type: 'nope', ts: ts(41) },
      ],
    });
    expect((await call('POST', '/v1/events', tokens['acme-corp:ingest'], invalid)).status).toBe(422);
    expect((await call('POST', '/v1/events', tokens['acme-corp:ingest'], invalid)).status).toBe(422); // replay
    const ndjson = Array.from({ length: 5 }, (_, i) =>
      JSON.stringify({ type: 'web', ts: ts(i), url: `https://example.co.jp/${i}` }),
    ).join('\n');
    expect(
      (await call('POST', '/v1/events', tokens['beta-inc:ingest'], ndjson, 'application/x-ndjson')).status,
    ).toBe(202);
    await runtime.flush();

    // Act: two searches by acme, one aggregate by beta
    const range = { from: `${TODAY}T00:00:00Z`, to: `${TODAY}T23:59:59Z` };
    const scanned: Record<string, number> = { 'acme-corp': 0, 'beta-inc': 0 };
    for (const [tenant, path, body] of [
      ['acme-corp', '/v1/search', { ...range, limit: 5 }],
      ['acme-corp', '/v1/search', { ...range, filters: { app: 'excel.exe' } }],
      ['beta-inc', '/v1/aggregate', { ...range, groupBy: 'domain' }],
    ] as const) {
      const res = await call('POST', path, tokens[`${tenant}:search`], JSON.stringify(body));
      expect(res.status).toBe(200);
      scanned[tenant] =
        (scanned[tenant] ?? 0) +
        ((await res.json()) as { stats: { scannedBytes: number } }).stats.scannedBytes;
    }
    const before = await usage();

    // Assess: events and searches
    expect(
      before.map((r) => [r.tenantId, r.day, r.eventsAccepted, r.eventsRejected, r.searches, r.scannedBytes]),
    ).toEqual([
      ['acme-corp', TODAY, 10, 3, 2, scanned['acme-corp']],
      ['beta-inc', TODAY, 5, 0, 1, scanned['beta-inc']],
    ]);
    expect(before.every((r) => r.rawBytes > 0 && r.parquetBytes === 0)).toBe(true);

    // Act: the nightly conversion, then a report for one tenant
    const nightly = await call('POST', '/v1/admin/nightly', tokens.admin, JSON.stringify({ date: TODAY }));
    expect(nightly.status).toBe(200);
    const after = await usage(`?tenant=acme-corp&from=${TODAY}&to=${TODAY}`);

    // Assess: one conversion of 10 rows; Parquet bytes now stored; raw still there (archive window)
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      tenantId: 'acme-corp',
      eventsAccepted: 10,
      eventsRejected: 3,
      searches: 2,
      conversions: 1,
      convertedRows: 10,
    });
    expect(after[0]?.parquetBytes).toBeGreaterThan(0);
    expect(after[0]?.rawBytes).toBe(before[0]?.rawBytes);
  });

  it('keeps usage across a restart (it lives in the lake)', async () => {
    await runtime.close();
    runtime = await createLocalRuntime({ dataDir, background: false, logLevel: 'SILENT' });
    const routes = defaultRoutes(runtime);
    applyRoutePlugins(readLocalConfig({}))(routes, runtime);
    app = createApp(routes, runtime);
    const rows = await usage();
    expect(rows.map((r) => [r.tenantId, r.eventsAccepted, r.searches])).toEqual([
      ['acme-corp', 10, 2],
      ['beta-inc', 5, 1],
    ]);
  });

  it('answers 403 to a token of another scope and 400 to a bad range', async () => {
    const forbidden = await call('GET', '/v1/admin/usage', tokens['acme-corp:search']);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: { code: 'forbidden' } });
    for (const query of [
      '?from=2026-13-01',
      '?from=2026-11-02&to=2026-11-01',
      '?tenant=A',
      '?from=2020-01-01&to=2026-01-01',
    ]) {
      const res = await call('GET', `/v1/admin/usage${query}`, tokens.admin);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_request' } });
    }
  });
});
