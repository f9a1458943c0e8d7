/**
 * Local mode end to end: ingest (HTTP) → flush → nightly (POST /v1/admin/nightly) → Parquet holds
 * every accepted event exactly once, duplicates sent on purpose and late events included; a second
 * nightly changes nothing; DELETE /v1/admin/tenants/{id} removes the tenant's bytes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Hono } from 'hono';
import { signToken } from '../../shared/auth/tokens.js';
import { PREFIX, tenantPrefixes } from '../../shared/domain/layout.js';
import { createLocalRuntime, type LocalRuntime } from '../../shared/local/runtime/runtime.js';
import { nightlyRoutes } from '../../shared/local/server/nightly-routes.js';
import { createApp, defaultRoutes } from '../../shared/local/server/server.js';
import { dataState, listAll, readParquetRows } from '../fixtures/lake-reader.js';

const NOW = new Date('2026-11-24T01:00:00.000Z');
let dataDir: string;
let runtime: LocalRuntime;
let app: Hono;
let admin: string;
const ingestTokens: Record<string, string> = {};

function events(prefix: string, from: number, to: number, day: string, title: string) {
  return Array.from({ length: to - from }, (_, i) => ({
    eventId: `${prefix}-${from + i}`,
    type: 'app',
    ts: `${day}T${String(10 + (i % 10)).padStart(2, '0')}:00:${String(i % 60).padStart(2, '0')}.000+00:00`,
    user: 'yamada',
    app: 'excel.exe',
    title,
  }));
}

async function send(tenant: string, body: unknown) {
  const res = await app.request('http://127.0.0.1/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${ingestTokens[tenant]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
}

async function adminCall(method: string, path: string, body?: unknown) {
  const res = await app.request(`http://127.0.0.1${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'oplake-nightly-e2e-'));
  runtime = await createLocalRuntime({
    dataDir,
    background: false,
    logLevel: 'SILENT',
    clock: { now: () => NOW },
  });
  const routes = defaultRoutes(runtime);
  nightlyRoutes(routes, runtime);
  app = createApp(routes, runtime);
  const keys = await runtime.keys.load();
  admin = await signToken(keys, { tenantId: null, scope: 'admin', ttlSeconds: 600 }, NOW);
  for (const tenant of ['acme-corp', 'beta-corp']) {
    ingestTokens[tenant] = await signToken(
      keys,
      { tenantId: tenant, scope: 'ingest', sub: 'pc-001', ttlSeconds: 600 },
      NOW,
    );
  }
});

afterAll(async () => {
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('ingest → flush → nightly (local mode)', () => {
  it('converts every accepted event exactly once, is idempotent, and takes late events', async () => {
    await send('acme-corp', { batchId: 'b-1', events: events('e', 0, 40, '2026-11-23', 'first') });
    await send('acme-corp', { batchId: 'b-1', events: events('e', 0, 40, '2026-11-23', 'first') }); // replay
    await send('acme-corp', { batchId: 'b-2', events: events('e', 0, 10, '2026-11-23', 'resent') }); // duplicates
    await send('acme-corp', { batchId: 'b-3', events: events('d', 0, 15, '2026-11-22', 'older day') });
    await send('beta-corp', { batchId: 'b-1', events: events('e', 0, 20, '2026-11-23', 'beta') });
    expect((await adminCall('POST', '/v1/admin/flush')).status).toBe(200);

    const first = await adminCall('POST', '/v1/admin/nightly', { date: '2026-11-23' });

    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ targets: 3, succeeded: 3, failed: 0, failedTenants: [] });
    let rows = await readParquetRows(runtime.store);
    const acme = rows.filter((r) => r.tenant_id === 'acme-corp');
    expect(acme.map((r) => r.event_id).sort()).toEqual(
      [
        ...Array.from({ length: 40 }, (_, i) => `e-${i}`),
        ...Array.from({ length: 15 }, (_, i) => `d-${i}`),
      ].sort(),
    );
    expect(acme.filter((r) => r.title === 'resent')).toEqual([]);
    expect(rows.filter((r) => r.tenant_id === 'beta-corp')).toHaveLength(20);
    expect(await listAll(runtime.store, PREFIX.raw)).toEqual([]);

    const state = await dataState(runtime.store);
    const again = await adminCall('POST', '/v1/admin/nightly', { date: '2026-11-23' });
    expect(again.body).toMatchObject({ targets: 0, succeeded: 0, failed: 0 });
    expect(await dataState(runtime.store)).toEqual(state);

    // Late: a new event for an older day and one more copy of a converted event.
    await send('acme-corp', {
      batchId: 'b-4',
      events: [
        ...events('late', 0, 1, '2026-11-21', 'late'),
        ...events('e', 5, 6, '2026-11-23', 'late copy'),
      ],
    });
    await adminCall('POST', '/v1/admin/flush');
    const late = await adminCall('POST', '/v1/admin/nightly', { date: '2026-11-23' });

    expect(late.body).toMatchObject({ targets: 2, succeeded: 2, failed: 0 });
    rows = await readParquetRows(runtime.store);
    expect(rows.filter((r) => r.tenant_id === 'acme-corp')).toHaveLength(56);
    expect(
      rows.filter((r) => r.event_id === 'e-5' && r.tenant_id === 'acme-corp').map((r) => r.title),
    ).toEqual(['first']);
  });

  it('refuses a malformed date and a non-admin token', async () => {
    expect((await adminCall('POST', '/v1/admin/nightly', { date: 'yesterday' })).status).toBe(400);
    const res = await app.request('http://127.0.0.1/v1/admin/nightly', {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestTokens['acme-corp']}` },
    });
    expect(res.status).toBe(403);
  });

  it('deletes every byte of a tenant and nothing else', async () => {
    const before = await listAll(runtime.store, '');
    const acmeBefore = before.filter((k) => !k.includes('tenant_id=beta-corp/'));

    const deleted = await adminCall('DELETE', '/v1/admin/tenants/beta-corp');

    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ tenantId: 'beta-corp' });
    expect(deleted.body.objects).toBeGreaterThan(0);
    for (const prefix of tenantPrefixes('beta-corp'))
      expect(await listAll(runtime.store, prefix)).toEqual([]);
    expect((await listAll(runtime.store, '')).sort()).toEqual(acmeBefore.sort());
    expect((await adminCall('DELETE', '/v1/admin/tenants/NOT_A_TENANT')).status).toBe(400);
  });
});
