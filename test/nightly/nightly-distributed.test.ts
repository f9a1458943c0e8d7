/**
 * The Distributed Map at a few hundred tenants, locally through the deployed ASL: the work list in
 * the lake (ItemReader), batches of tenants (ItemBatcher) as child executions, per-tenant failure
 * isolation inside a batch, results in the lake (ResultWriter) read back by Summarise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import type { MapRunManifest } from '../../shared/conversion/map-results.js';
import { PREFIX, partitionPrefix } from '../../shared/domain/layout.js';
import { type LocalNightlyRun, runNightlyDetailed } from '../../shared/local/workflow/run-nightly.js';
import type { Clock } from '../../shared/ports/clock.js';
import { listAll } from '../fixtures/lake-reader.js';
import { type RawLake, writeRawLake } from '../fixtures/raw-lake.js';

const RUN_DATE = '2026-11-23';
const TENANTS = 300;
const clock: Clock = { now: () => new Date('2026-11-24T01:00:00.000Z') };
const broken = ['tenant-007', 'tenant-123', 'tenant-299'];
let dir: string;
let store: FileObjectStore;
let engine: DuckDbConversionEngine;
let lake: RawLake;
let run: LocalNightlyRun;
const progress: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oplake-nightly-dmap-'));
  store = new FileObjectStore(join(dir, 'lake'));
  engine = new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 });
  lake = await writeRawLake(store, {
    tenants: TENANTS,
    days: 1,
    lastDay: RUN_DATE,
    eventsPerTenantDay: 4,
    eventsPerObject: 4,
  });
  run = await runNightlyDetailed({
    store,
    engine,
    clock,
    date: RUN_DATE,
    maxConcurrency: 6,
    batchSize: 25,
    // Always failing tenants, and one that fails once (absorbed by the Retry).
    failTenants: new Map([...broken.map((t): [string, number] => [t, 99]), ['tenant-050', 1]]),
    onProgress: (done) => progress.push(done),
  });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe(`Distributed Map, ${TENANTS} tenants, batches of 25`, () => {
  it('converts every healthy tenant in one execution; no tenant deferred', () => {
    expect(run.summary).toMatchObject({
      targets: TENANTS,
      tenants: TENANTS,
      succeeded: TENANTS - broken.length,
      failed: broken.length,
      deferredTenants: 0,
      failedTenantCount: broken.length,
      failedTenants: broken,
    });
    expect(run.summary.rows).toBe(
      lake.tenants
        .filter((t) => !broken.includes(t))
        .reduce((n, t) => n + (lake.expected.get(t)?.get(RUN_DATE)?.size ?? 0), 0),
    );
    expect(run.summary.failures.map((f) => f.error)).toEqual(broken.map(() => 'Oplake.ConversionFailed'));
  });

  it('keeps a failure with its tenant: the rest of its batch converted, it retried then caught', async () => {
    for (const t of broken) {
      expect(run.attempts[t]).toBe(3);
      expect((await listAll(store, partitionPrefix('raw', t, RUN_DATE))).length).toBe(1);
      expect(await listAll(store, partitionPrefix('parquet', t))).toEqual([]);
    }
    expect(run.attempts['tenant-050']).toBe(2);
    // Neighbours in the same batch of 25 (tenant-000..024 hold tenant-007).
    for (const t of ['tenant-006', 'tenant-008', 'tenant-024', 'tenant-050', 'tenant-298']) {
      expect(run.attempts[t]).toBeGreaterThanOrEqual(1);
      expect((await listAll(store, partitionPrefix('parquet', t, RUN_DATE))).length).toBe(1);
      expect(await listAll(store, partitionPrefix('raw', t))).toEqual([]);
    }
    const raw = await listAll(store, PREFIX.raw);
    expect(raw.length).toBe(broken.length);
  });

  it('ran 12 child executions, one per batch, and wrote their results where ResultWriter puts them', async () => {
    expect(progress).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const nightly = await listAll(store, 'nightly/');
    const manifestKey = nightly.find((k) => k.endsWith('/manifest.json')) ?? '';
    expect(manifestKey).toMatch(/^nightly\/[^/]+\/results\/[0-9a-f-]{36}\/manifest\.json$/);
    expect(nightly.some((k) => k.endsWith('/work-list.jsonl'))).toBe(true);
    const manifest = JSON.parse(
      Buffer.from((await store.get(manifestKey)) ?? []).toString(),
    ) as MapRunManifest;
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    expect(manifest.ResultFiles.SUCCEEDED).toHaveLength(1);
    const entries = JSON.parse(
      Buffer.from((await store.get(manifest.ResultFiles.SUCCEEDED[0]?.Key ?? '')) ?? []).toString(),
    ) as { Input: string; Output: string; Status: string }[];
    expect(entries).toHaveLength(12);
    const first = JSON.parse(entries[0]?.Input ?? '{}') as {
      Items: unknown[];
      BatchInput: { runId: string };
    };
    expect(first.Items).toHaveLength(25);
    expect(first.BatchInput.runId).toBe(run.summary.runId);
    expect((JSON.parse(entries[0]?.Output ?? '[]') as unknown[]).length).toBe(25);
  });
});
