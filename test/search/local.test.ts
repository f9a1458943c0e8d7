/**
 * Local entry points: the benchmark's searchLocal / aggregateLocal over a generated data set
 * (a small "N tenants x D days" with converted and raw-only days and late resends), and the
 * route plugin the dev server mounts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  aggregateLocal,
  closeLocalEngines,
  searchLocal,
  searchRoutes,
} from '../../functions/search/local.js';
import type { LocalRuntime } from '../../shared/local/runtime/runtime.js';
import { RouteTable } from '../../shared/local/server/routes.js';
import { createObservability } from '../../shared/observability/index.js';
import { systemClock } from '../../shared/ports/clock.js';
import { generateDataset } from '../fixtures/search-lake.js';
import { keySource, tempLake } from './helpers.js';

describe('searchLocal over a generated data set', () => {
  let lake: { root: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    lake = await tempLake();
    await generateDataset({
      lakeRoot: lake.root,
      tenants: 3,
      days: 10,
      eventsPerTenantDay: 40,
      rawDays: 2,
      duplicateRate: 0.2,
      lastDay: '2026-11-23',
    });
  });
  afterAll(async () => {
    await closeLocalEngines();
    await lake.cleanup();
  });

  it('counts every event once across converted and raw days, pages in order, stays in the tenant', async () => {
    // Act
    const perType = await aggregateLocal(lake.root, 'tenant-02', {
      from: '2026-11-14T00:00:00Z',
      to: '2026-11-24T00:00:00Z',
      groupBy: 'type',
    });
    const all = [];
    let after = null;
    do {
      const page: Awaited<ReturnType<typeof searchLocal>> = await searchLocal(
        lake.root,
        'tenant-02',
        { from: '2026-11-14T00:00:00Z', to: '2026-11-24T00:00:00Z', limit: 1000 },
        { after },
      );
      all.push(...page.events);
      after = page.next;
      expect(page.stats.scannedBytes).toBeGreaterThan(0);
    } while (after !== null);
    // Assess
    expect(perType.rows.reduce((n, r) => n + r.count, 0)).toBe(400);
    expect(all).toHaveLength(400);
    expect(new Set(all.map((e) => `${e.deviceId}/${e.eventId}`)).size).toBe(400);
    const keys = all.map((e) => `${e.ts}|${e.eventId}|${e.deviceId}`);
    expect([...keys].sort().reverse()).toEqual(keys); // newest first, the default
  });

  it('mounts POST /v1/search, GET /v1/search/{id} and POST /v1/aggregate', () => {
    // Prepare
    const routes = new RouteTable();
    const runtime = {
      dataDir: lake.root,
      keys: keySource,
      clock: systemClock,
      obs: createObservability('search', { local: true, logLevel: 'SILENT' }),
    } as unknown as LocalRuntime;
    // Act
    searchRoutes({ scanCutoffBytes: 1000 })(routes, runtime);
    // Assess
    expect(routes.match('POST', '/v1/search')?.route.functionName).toBe('search');
    expect(routes.match('GET', '/v1/search/q-1')?.pathParameters).toEqual({ id: 'q-1' });
    expect(routes.match('POST', '/v1/aggregate')?.route.functionName).toBe('search');
  });
});
