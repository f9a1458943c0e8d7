import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { writeRawLake } from '../../../test/fixtures/raw-lake.js';
import { ConversionEngineError } from '../../conversion/errors.js';
import { partitionPrefix } from '../../domain/layout.js';
import { DuckDbConversionEngine } from './duckdb-conversion-engine.js';
import { FileObjectStore } from './file-object-store.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-duckdb-engine-'));
  dirs.push(dir);
  const store = new FileObjectStore(join(dir, 'lake'));
  await writeRawLake(store, { tenants: 1, days: 1, lastDay: '2026-11-23', eventsPerTenantDay: 50 });
  const rawKeys: string[] = [];
  for await (const info of store.list(partitionPrefix('raw', 'tenant-000', '2026-11-23')))
    rawKeys.push(info.key);
  const snapshot = {
    tenantId: 'tenant-000',
    dt: '2026-11-23',
    runId: '20261124T010000000Z-00000000',
    rawKeys,
    parquetKeys: [],
    snapshotTime: '2026-11-24T00:00:00.000Z',
    stagingPrefix: 'staging/20261124T010000000Z-00000000/tenant_id=tenant-000/dt=2026-11-23/',
  };
  return { dir, store, snapshot };
}

describe('DuckDbConversionEngine', () => {
  it('creates its nested spill directory before DuckDB needs it', async () => {
    const { dir, store, snapshot } = await setup();
    const tempDirectory = join(dir, 'tmp', 'duckdb');
    const engine = new DuckDbConversionEngine(store, { tempDirectory, memoryLimit: '128MB', threads: 1 });

    const staged = await engine.materialize(snapshot);
    await engine.close();

    expect((await stat(tempDirectory)).isDirectory()).toBe(true);
    expect(staged.keys).toEqual([`${snapshot.stagingPrefix}part-0.parquet`]);
    expect(staged.rows).toBeGreaterThanOrEqual(50);
  });

  it('reports an unreadable raw object as a ConversionEngineError', async () => {
    const { store, snapshot } = await setup();
    const bad = `${partitionPrefix('raw', 'tenant-000', '2026-11-23')}zz-bad.json.gz`;
    await store.put(bad, 'not gzip at all');
    const engine = new DuckDbConversionEngine(store, { threads: 1 });

    await expect(engine.materialize({ ...snapshot, rawKeys: [...snapshot.rawKeys, bad] })).rejects.toThrow(
      ConversionEngineError,
    );
    await engine.close();
  });
});
