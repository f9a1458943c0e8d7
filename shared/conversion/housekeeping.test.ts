import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { listAll } from '../../test/fixtures/lake-reader.js';
import { FileObjectStore } from '../adapters/local/file-object-store.js';
import { partitionPrefix } from '../domain/layout.js';
import { discoverTargets } from './discover.js';
import { applyRetention, cutoffDate, DEFAULT_RETENTION } from './retention.js';
import { deleteTenant } from './tenant-delete.js';

const dirs: string[] = [];
let store: FileObjectStore;

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-housekeeping-'));
  dirs.push(dir);
  store = new FileObjectStore(dir);
});

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('discoverTargets', () => {
  it('lists pending tenant-days up to the run date, grouped by tenant', async () => {
    await store.put(`${partitionPrefix('raw', 'acme', '2026-11-20')}a.json.gz`, 'x');
    await store.put(`${partitionPrefix('raw', 'acme', '2026-11-23')}b.json.gz`, 'x');
    await store.put(`${partitionPrefix('raw', 'acme', '2026-11-24')}c.json.gz`, 'x');
    await store.put(`${partitionPrefix('raw', 'beta', '2026-11-22')}d.json.gz`, 'x');
    await store.put(`${partitionPrefix('raw', 'gone', '2026-11-22')}e.json.gz`, 'x');
    await store.delete([`${partitionPrefix('raw', 'gone', '2026-11-22')}e.json.gz`]);
    await store.put('raw/not-a-partition/x', 'x');

    const found = await discoverTargets(store, '2026-11-23');

    expect(found.items).toEqual([
      { tenantId: 'acme', dates: ['2026-11-20', '2026-11-23'] },
      { tenantId: 'beta', dates: ['2026-11-22'] },
    ]);
    expect(found.targets).toBe(3);
  });

  it('finds nothing in an empty lake', async () => {
    expect(await discoverTargets(store, '2026-11-23')).toMatchObject({ items: [], targets: 0 });
  });
});

describe('applyRetention', () => {
  const now = new Date('2026-11-24T01:00:00Z');

  it('deletes expired partitions per area and per-tenant override, and stale staging', async () => {
    await store.put(`${partitionPrefix('archiveRaw', 'acme', '2026-11-10')}old.json.gz`, 'xx');
    await store.put(`${partitionPrefix('archiveRaw', 'acme', '2026-11-20')}new.json.gz`, 'xx');
    await store.put(`${partitionPrefix('parquet', 'acme', '2021-01-01')}r-0.parquet`, 'pppp');
    await store.put(`${partitionPrefix('parquet', 'acme', '2026-01-01')}r-0.parquet`, 'pppp');
    await store.put(`${partitionPrefix('parquet', 'short', '2026-10-01')}r-0.parquet`, 'pppp');
    await store.put(`${partitionPrefix('rejects', 'acme', '2026-09-01')}b.json`, 'r');
    await store.put('staging/20261122T010000000Z-aaaa0000/tenant_id=acme/dt=2026-11-21/part-0.parquet', 's');
    await store.put('staging/20261124T005000000Z-bbbb0000/tenant_id=acme/dt=2026-11-23/part-0.parquet', 's');

    const report = await applyRetention(store, {
      now,
      policy: { ...DEFAULT_RETENTION, perTenant: { short: { parquetDays: 30 } } },
    });

    expect(report.deletedObjects).toBe(5);
    expect((await listAll(store, '')).sort()).toEqual([
      `${partitionPrefix('archiveRaw', 'acme', '2026-11-20')}new.json.gz`,
      `${partitionPrefix('parquet', 'acme', '2026-01-01')}r-0.parquet`,
      'staging/20261124T005000000Z-bbbb0000/tenant_id=acme/dt=2026-11-23/part-0.parquet',
    ]);
  });

  it('touches only the areas it is given (AWS: lifecycle rules do the rest)', async () => {
    await store.put(`${partitionPrefix('archiveRaw', 'acme', '2026-11-10')}old.json.gz`, 'xx');
    await store.put(`${partitionPrefix('parquet', 'acme', '2019-01-01')}r-0.parquet`, 'pppp');

    const report = await applyRetention(store, { now, areas: ['parquet'] });

    expect(report).toEqual({ deletedObjects: 1, deletedBytes: 4, deletedPartitions: 1 });
    expect(await listAll(store, 'archive/')).toHaveLength(1);
  });

  it('computes the cutoff date', () => {
    expect(cutoffDate('2026-11-24', 7)).toBe('2026-11-17');
  });
});

describe('deleteTenant', () => {
  it('removes every object of the tenant, staging leftovers included, and only those', async () => {
    await store.put(`${partitionPrefix('raw', 'acme', '2026-11-23')}a.json.gz`, '12345');
    await store.put(`${partitionPrefix('archiveRaw', 'acme', '2026-11-23')}a.json.gz`, '12345');
    await store.put(`${partitionPrefix('parquet', 'acme', '2026-11-23')}r-0.parquet`, '123');
    await store.put(`${partitionPrefix('rejects', 'acme', '2026-11-23')}b.json`, '1');
    await store.put('spool/tenant_id=acme/x.json', '12');
    await store.put('staging/20261124T005000000Z-bbbb0000/tenant_id=acme/dt=2026-11-23/part-0.parquet', '1');
    await store.put(`${partitionPrefix('raw', 'acme-2', '2026-11-23')}a.json.gz`, 'keep');
    await store.put(
      'staging/20261124T005000000Z-bbbb0000/tenant_id=acme-2/dt=2026-11-23/part-0.parquet',
      'keep',
    );

    const deleted = await deleteTenant(store, 'acme');

    expect(deleted).toEqual({ tenantId: 'acme', objects: 6, bytes: 17 });
    expect((await listAll(store, '')).sort()).toEqual([
      `${partitionPrefix('raw', 'acme-2', '2026-11-23')}a.json.gz`,
      'staging/20261124T005000000Z-bbbb0000/tenant_id=acme-2/dt=2026-11-23/part-0.parquet',
    ]);
    expect(await deleteTenant(store, 'acme')).toEqual({ tenantId: 'acme', objects: 0, bytes: 0 });
  });

  it('refuses an id that is not a tenant id', async () => {
    await expect(deleteTenant(store, '../etc')).rejects.toThrow(RangeError);
  });
});
