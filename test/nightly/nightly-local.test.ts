/**
 * The nightly workflow end to end in local mode: the deployed ASL run by aws-local-stepfunctions,
 * ctas-runner's core behind the emulated .waitForTaskToken, DuckDB writing real Parquet files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { PREFIX, partitionPrefix } from '../../shared/domain/layout.js';
import { runNightly, runNightlyDetailed } from '../../shared/local/workflow/run-nightly.js';
import type { Clock } from '../../shared/ports/clock.js';
import { dataState, listAll, readParquetRows } from '../fixtures/lake-reader.js';
import { type RawLake, writeLateEvents, writeRawLake } from '../fixtures/raw-lake.js';

const RUN_DATE = '2026-11-23';
const clock: Clock = { now: () => new Date('2026-11-24T01:00:00.000Z') };
const dirs: string[] = [];
const engines: DuckDbConversionEngine[] = [];
let store: FileObjectStore;
let engine: DuckDbConversionEngine;
let lake: RawLake;

async function assertLakeHoldsExactly(expected: RawLake, tenants: readonly string[] = expected.tenants) {
  const rows = await readParquetRows(store);
  for (const tenantId of tenants) {
    for (const [dt, byId] of expected.expected.get(tenantId) ?? new Map()) {
      const got = rows.filter((r) => r.tenant_id === tenantId && r.dt === dt);
      const ids = got.map((r) => `${r.device_id}/${r.event_id}`).sort();
      expect(ids).toEqual([...byId.keys()].sort()); // every event, exactly once
      for (const r of got) expect(r.received_at).toBe(byId.get(`${r.device_id}/${r.event_id}`)?.received_at);
      expect(await listAll(store, partitionPrefix('raw', tenantId, dt))).toEqual([]);
    }
  }
}

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-nightly-'));
  dirs.push(dir);
  store = new FileObjectStore(join(dir, 'lake'));
  engine = new DuckDbConversionEngine(store, { memoryLimit: '512MB', threads: 1 });
  engines.push(engine);
  lake = await writeRawLake(store, { tenants: 3, days: 3, lastDay: RUN_DATE, eventsPerTenantDay: 250 });
  // A late batch for the oldest day, arrived before the run, and a day after the run's date.
  await writeLateEvents(store, lake, 'tenant-001', '2026-11-21', 20, 'pre');
});

afterAll(async () => {
  for (const e of engines) await e.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('local nightly (ASL via aws-local-stepfunctions + ctas-runner core + DuckDB)', () => {
  it('converts every pending tenant-day: each event exactly once; a second run changes nothing', async () => {
    const first = await runNightly({ store, engine, clock, date: RUN_DATE });

    expect(first).toMatchObject({ date: RUN_DATE, targets: 9, succeeded: 9, failed: 0, failedTenants: [] });
    expect(first.rows).toBe(
      [...lake.expected.values()].flatMap((m) => [...m.values()]).reduce((n, byId) => n + byId.size, 0),
    );
    await assertLakeHoldsExactly(lake);
    expect(await listAll(store, PREFIX.raw)).toEqual([]);
    expect(await listAll(store, PREFIX.staging)).toEqual([]);
    // Each run leaves its own work list and map run results under nightly/RUN/ (docs/nightly.md).
    const state = await dataState(store);

    const second = await runNightly({ store, engine, clock, date: RUN_DATE });

    expect(second).toMatchObject({ targets: 0, succeeded: 0, failed: 0 });
    expect(await dataState(store)).toEqual(state);
  });

  it('picks up late events for an old day on the next run and merges them', async () => {
    await runNightly({ store, engine, clock, date: RUN_DATE });
    await writeLateEvents(store, lake, 'tenant-002', '2026-11-21', 15, 'post');

    const run = await runNightly({ store, engine, clock, date: RUN_DATE });

    expect(run).toMatchObject({ targets: 1, succeeded: 1, failed: 0 });
    await assertLakeHoldsExactly(lake);
    expect((await listAll(store, partitionPrefix('parquet', 'tenant-002', '2026-11-21'))).length).toBe(1);
  });

  it('leaves days after the run date pending', async () => {
    const run = await runNightly({ store, engine, clock, date: '2026-11-22' });

    expect(run).toMatchObject({ targets: 6, succeeded: 6 });
    expect((await listAll(store, partitionPrefix('raw', 'tenant-000', RUN_DATE))).length).toBeGreaterThan(0);
  });

  it('isolates a failing tenant: others converted, it is retried, reported, and converted next run', async () => {
    const run = await runNightlyDetailed({
      store,
      engine,
      clock,
      date: RUN_DATE,
      failTenants: new Set(['tenant-001']),
    });

    expect(run.summary).toMatchObject({ targets: 9, succeeded: 6, failed: 3, failedTenants: ['tenant-001'] });
    expect(run.summary.failures[0]?.error).toBe('Oplake.ConversionFailed');
    expect(run.attempts['tenant-001']).toBe(3); // first try + Retry MaxAttempts 2
    expect(run.attempts['tenant-000']).toBe(1);
    await assertLakeHoldsExactly(lake, ['tenant-000', 'tenant-002']);
    expect((await listAll(store, partitionPrefix('raw', 'tenant-001'))).length).toBeGreaterThan(0);

    const next = await runNightly({ store, engine, clock, date: RUN_DATE });

    expect(next).toMatchObject({ targets: 3, succeeded: 3, failed: 0 });
    await assertLakeHoldsExactly(lake);
  });

  it('a transient fault is absorbed by the Retry', async () => {
    const run = await runNightlyDetailed({
      store,
      engine,
      clock,
      date: RUN_DATE,
      failTenants: new Map([['tenant-002', 1]]),
    });

    expect(run.summary).toMatchObject({ targets: 9, succeeded: 9, failed: 0 });
    expect(run.attempts['tenant-002']).toBe(2);
    await assertLakeHoldsExactly(lake);
  });

  it('a conversion killed half-way is redone by the retry and the result is correct', async () => {
    let crashed = 0;
    const run = await runNightlyDetailed({
      store,
      engine,
      clock,
      date: RUN_DATE,
      afterStep: (step, snapshot) => {
        if (step === 'published' && snapshot.tenantId === 'tenant-000' && crashed++ === 0)
          throw new Error('killed');
      },
    });

    expect(run.summary).toMatchObject({ succeeded: 9, failed: 0 });
    expect(run.attempts['tenant-000']).toBe(2);
    await assertLakeHoldsExactly(lake);
    expect((await listAll(store, partitionPrefix('parquet', 'tenant-000', '2026-11-21'))).length).toBe(1);
  });

  it('defers tenants over the back-pressure cap to the next run', async () => {
    const first = await runNightly({ store, engine, clock, date: RUN_DATE, maxTenantsPerRun: 2 });

    expect(first).toMatchObject({ targets: 6, succeeded: 6, deferredTenants: 1, deferredTargets: 3 });

    const second = await runNightly({ store, engine, clock, date: RUN_DATE, maxTenantsPerRun: 2 });

    expect(second).toMatchObject({ targets: 3, succeeded: 3, deferredTenants: 0 });
    await assertLakeHoldsExactly(lake);
  });

  it('runs with its own DuckDB engine and spill directory when none is given', async () => {
    const summary = await runNightly({
      store,
      clock,
      date: RUN_DATE,
      dataDir: dirs.at(-1) ?? tmpdir(),
      maxConcurrency: 2,
    });

    expect(summary).toMatchObject({ targets: 9, succeeded: 9, failed: 0 });
    await assertLakeHoldsExactly(lake);
  });
});
