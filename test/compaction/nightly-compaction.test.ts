/**
 * Compaction inside the nightly workflow (the deployed ASL, run locally): the night converts a
 * tenant's pending days, then compacts its closed month in the same task; a compaction that
 * crashes after publishing fails the tenant's task, the ASL retries it (the dates are then
 * no-ops) and the retry converges; the open month is left alone. Answers equal a twin lake
 * converted the same night without compaction.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { monthPartitionPrefix, partitionPrefix } from '../../shared/domain/layout.js';
import { runNightlyDetailed } from '../../shared/local/workflow/run-nightly.js';
import { listAll, readParquetRows } from '../fixtures/lake-reader.js';
import { type RawLake, writeRawLake } from '../fixtures/raw-lake.js';
import { wholeAnswer } from '../search/helpers.js';

const clock = { now: () => new Date('2026-11-10T01:00:00.000Z') };
const RANGE = { from: '2026-10-25T00:00:00Z', to: '2026-11-11T00:00:00Z' };

describe('the nightly workflow compacts closed months after converting', () => {
  let dir: string;
  let twinDir: string;
  let store: FileObjectStore;
  let twin: FileObjectStore;
  let engine: DuckDbConversionEngine;
  let twinEngine: DuckDbConversionEngine;
  let lake: RawLake;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oplake-nightly-compact-'));
    twinDir = await mkdtemp(join(tmpdir(), 'oplake-nightly-twin-'));
    store = new FileObjectStore(dir);
    twin = new FileObjectStore(twinDir);
    engine = new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 });
    twinEngine = new DuckDbConversionEngine(twin, { memoryLimit: '256MB', threads: 1 });
    // Two tenants, four October days each (closed on 2026-11-10), and one open November day.
    for (const s of [store, twin]) {
      lake = await writeRawLake(s, { tenants: 2, days: 4, lastDay: '2026-10-31', eventsPerTenantDay: 80 });
      await writeRawLake(
        s,
        { tenants: 2, days: 1, lastDay: '2026-11-09', eventsPerTenantDay: 50, seed: 7 },
        lake,
      );
    }
  });
  afterAll(async () => {
    await engine.close();
    await twinEngine.close();
    await rm(dir, { recursive: true, force: true });
    await rm(twinDir, { recursive: true, force: true });
  });

  it('converts, compacts, retries a compaction that crashed, and answers the same', async () => {
    // Prepare: the twin converted the same night, never compacted
    const twinRun = await runNightlyDetailed({ store: twin, engine: twinEngine, clock, compaction: false });
    expect(twinRun.summary).toMatchObject({ targets: 10, succeeded: 10 });
    expect(await listAll(twin, 'parquet-v2-month/')).toEqual([]);
    const expected = await Promise.all(
      lake.tenants.map((t) => wholeAnswer(twinDir, t, RANGE, { pageSize: 60, groupBy: 'day' })),
    );
    let crashes = 0;
    // Act: the first compaction of tenant-001 crashes after publishing its month file
    const run = await runNightlyDetailed({
      store,
      engine,
      clock,
      batchSize: 1,
      compactionAfterStep: (step, snapshot) => {
        if (step === 'published' && snapshot.tenantId === 'tenant-001' && crashes++ === 0) {
          throw new Error('simulated crash after publish');
        }
      },
    });
    // Assess
    expect(run.summary).toMatchObject({ targets: 10, succeeded: 10, failed: 0, failedTenants: [] });
    expect(run.attempts).toEqual({ 'tenant-000': 1, 'tenant-001': 2 });
    for (const tenant of lake.tenants) {
      expect(await store.listPrefixes(partitionPrefix('parquet', tenant))).toEqual([
        `${partitionPrefix('parquet', tenant)}dt=2026-11-09/`,
      ]);
      const months = await listAll(store, monthPartitionPrefix(tenant));
      expect(months).toHaveLength(1);
      const rows = await readParquetRows(store, monthPartitionPrefix(tenant, '2026-10'));
      const october = [...(lake.expected.get(tenant)?.entries() ?? [])]
        .filter(([dt]) => dt.startsWith('2026-10'))
        .reduce((n, [, ids]) => n + ids.size, 0);
      expect(rows).toHaveLength(october);
    }
    const after = await Promise.all(
      lake.tenants.map((t) => wholeAnswer(dir, t, RANGE, { pageSize: 60, groupBy: 'day' })),
    );
    expect(after).toEqual(expected);
    expect(crashes).toBe(2);
  });
});
