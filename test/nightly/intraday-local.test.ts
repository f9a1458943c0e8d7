/**
 * The intraday run mode in local mode (the deployed ASL run by aws-local-stepfunctions, ctas-runner's
 * core, DuckDB, real files): today's partial day and yesterday are converted, an object arriving
 * during the run stays pending for the next one, an old late arrival waits for the night, the
 * search answers are byte-equal before and after, and there is no housekeeping and no compaction
 * (the nightly run after it does both). POST /v1/admin/nightly validates `mode` (400).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aggregateEvents, type SearchBody, searchEvents } from '../../functions/search/core.js';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { signToken } from '../../shared/auth/tokens.js';
import { PREFIX, partitionPrefix } from '../../shared/domain/layout.js';
import { createLocalRuntime, type LocalRuntime } from '../../shared/local/runtime/runtime.js';
import { nightlyRoutes } from '../../shared/local/server/nightly-routes.js';
import { createApp, defaultRoutes } from '../../shared/local/server/server.js';
import { runNightly } from '../../shared/local/workflow/run-nightly.js';
import type { Clock } from '../../shared/ports/clock.js';
import { listAll } from '../fixtures/lake-reader.js';
import { type RawLake, writeLateEvents, writeRawLake } from '../fixtures/raw-lake.js';
import { localDeps } from '../search/helpers.js';

const TODAY = '2026-11-24';
const YESTERDAY = '2026-11-23';
const clock: Clock = { now: () => new Date(`${TODAY}T15:00:00.000Z`) };
const STALE_STAGING =
  'staging/20261122T010000000Z-aaaa0000/tenant_id=tenant-000/dt=2026-11-21/part-0.parquet';
let dir: string;
let store: FileObjectStore;
let engine: DuckDbConversionEngine;
let lake: RawLake = { tenants: [], days: [], expected: new Map(), rawObjects: 0, rawBytes: 0, lines: 0 };

/** Every event lake.expected holds (every tenant, every day). */
function expectedTotal(): number {
  let n = 0;
  for (const byDay of lake.expected.values()) for (const byId of byDay.values()) n += byId.size;
  return n;
}

/** Every event of every tenant over Oct 1 - Nov 25, all pages, and counts by day (JSON without stats). */
async function answers(): Promise<{ text: string; events: number }> {
  const deps = localDeps(join(dir, 'lake'));
  const range = { from: '2026-10-01T00:00:00.000Z', to: '2026-11-25T00:00:00.000Z' };
  try {
    const out: unknown[] = [];
    let events = 0;
    for (const tenant of lake.tenants) {
      let cursor: string | null = null;
      do {
        const page = await searchEvents(
          tenant,
          { ...range, limit: 1000, ...(cursor ? { cursor } : {}) },
          deps,
        );
        const body = page.body as SearchBody;
        out.push(...body.events);
        events += body.events.length;
        cursor = body.nextCursor;
      } while (cursor !== null);
      out.push((await aggregateEvents(tenant, { ...range, groupBy: 'day' }, deps)).body);
    }
    return { text: JSON.stringify(out, (k, v) => (k === 'stats' ? undefined : v)), events };
  } finally {
    await deps.engine.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oplake-intraday-'));
  store = new FileObjectStore(join(dir, 'lake'));
  engine = new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 });
  // Event ids differ from day to day (an id is a device's: the same id on two days is one event).
  const days = async (list: string[], perDay: number) => {
    for (const [n, dt] of list.entries()) {
      const one = {
        tenants: 2,
        days: 1,
        lastDay: dt,
        eventsPerTenantDay: perDay,
        objectTag: dt,
        seed: n + 1,
      };
      lake = await writeRawLake(store, one, lake);
    }
  };
  // October, converted by an earlier night without compaction: a closed month of small days.
  await days(['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04'], 40);
  await runNightly({ store, engine, clock, date: '2026-10-04', compaction: false });
  // Then yesterday and today (partial) pending, and a late arrival for an older day.
  await days([YESTERDAY, TODAY], 120);
  await writeLateEvents(store, lake, 'tenant-001', '2026-11-20', 10, 'old');
  await store.put(STALE_STAGING, 'left by a crashed run');
});

afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

describe('local intraday run', () => {
  it('converts the hot days only, leaves what arrives during the run pending, no housekeeping or compaction; later runs change no answer', async () => {
    const before = await answers();
    expect(before.events).toBe(expectedTotal());
    let arrived = false;

    const summary = await runNightly({
      store,
      engine,
      clock,
      mode: 'intraday',
      afterStep: async (step, snapshot) => {
        // A buffer delivered while today's conversion runs: not in its snapshot, so left pending.
        if (step === 'staged' && snapshot.tenantId === 'tenant-000' && snapshot.dt === TODAY && !arrived) {
          arrived = true;
          await writeLateEvents(store, lake, 'tenant-000', TODAY, 5, 'during');
        }
      },
    });

    expect(summary).toMatchObject({ mode: 'intraday', date: TODAY, targets: 4, succeeded: 4, failed: 0 });
    expect(arrived).toBe(true);
    expect(await listAll(store, partitionPrefix('raw', 'tenant-000', TODAY))).toEqual([
      `${partitionPrefix('raw', 'tenant-000', TODAY)}fh-late-during.json.gz`,
    ]);
    for (const t of lake.tenants) {
      expect(await listAll(store, partitionPrefix('raw', t, YESTERDAY))).toEqual([]);
      expect((await listAll(store, partitionPrefix('parquet', t, TODAY))).length).toBeGreaterThan(0);
    }
    // The old late arrival waits for the night; no retention, no compaction.
    expect((await listAll(store, partitionPrefix('raw', 'tenant-001', '2026-11-20'))).length).toBe(1);
    expect(await listAll(store, STALE_STAGING)).toEqual([STALE_STAGING]);
    expect(await listAll(store, PREFIX.parquetMonth)).toEqual([]);
    // Every event once, those that arrived during the run (still in raw/) included.
    const after = await answers();
    expect(after.events).toBe(expectedTotal());
    expect(after.events).toBeGreaterThan(before.events);

    const again = await runNightly({ store, engine, clock, mode: 'intraday' });
    expect(again).toMatchObject({ mode: 'intraday', targets: 1, succeeded: 1 });
    expect(await answers()).toEqual(after);

    const night = await runNightly({ store, engine, clock });
    expect(night).toMatchObject({ mode: 'nightly', targets: 1, succeeded: 1, failed: 0 });
    expect(await listAll(store, STALE_STAGING)).toEqual([]);
    expect((await listAll(store, PREFIX.parquetMonth)).length).toBeGreaterThan(0);
    expect(await answers()).toEqual(after);
  });

  it('answers are byte-equal before and after an intraday run, and a size threshold skips small days', async () => {
    await writeLateEvents(store, lake, 'tenant-000', TODAY, 50, 'big');
    await writeLateEvents(store, lake, 'tenant-001', TODAY, 1, 'small');
    const sizes = async (t: string) => {
      let n = 0;
      for await (const o of store.list(partitionPrefix('raw', t, TODAY))) n += o.size;
      return n;
    };
    const small = await sizes('tenant-001');
    expect(await sizes('tenant-000')).toBeGreaterThan(small);
    const before = await answers();

    const summary = await runNightly({
      store,
      engine,
      clock,
      mode: 'intraday',
      intradayMinRawBytes: small + 1,
    });

    expect(summary).toMatchObject({ mode: 'intraday', targets: 1, succeeded: 1 });
    expect(await listAll(store, partitionPrefix('raw', 'tenant-000', TODAY))).toEqual([]);
    expect((await listAll(store, partitionPrefix('raw', 'tenant-001', TODAY))).length).toBe(1);
    expect(await answers()).toEqual(before);
  });
});

describe('POST /v1/admin/nightly with a mode', () => {
  let runtime: LocalRuntime;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-intraday-http-'));
    runtime = await createLocalRuntime({ dataDir, background: false, logLevel: 'SILENT', clock });
  });
  afterAll(async () => {
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs the intraday mode and refuses an unknown one with 400 invalid_request', async () => {
    const routes = defaultRoutes(runtime);
    nightlyRoutes(routes, runtime);
    const app = createApp(routes, runtime);
    const admin = await signToken(await runtime.keys.load(), {
      tenantId: null,
      scope: 'admin',
      ttlSeconds: 600,
    });
    const call = async (body: unknown) => {
      const res = await app.request('http://127.0.0.1/v1/admin/nightly', {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    const ok = await call({ mode: 'intraday' });
    const bad = await call({ mode: 'hourly' });
    const notText = await call({ mode: 3 });

    expect(ok).toMatchObject({ status: 200, body: { mode: 'intraday', date: TODAY, targets: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_request' } });
    expect(bad.body.error).toMatchObject({ message: expect.stringContaining('mode') });
    expect(notText.status).toBe(400);
  });
});
