/**
 * Which months a night compacts (plan.ts), retention of month files (retention.ts), tenant
 * deletion of them, and the compaction statement in both dialects (sql.ts), over real files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import sqlParser from 'node-sql-parser';
import { listAll } from '../../test/fixtures/lake-reader.js';
import { FileObjectStore } from '../adapters/local/file-object-store.js';
import { applyRetention, DEFAULT_RETENTION } from '../conversion/retention.js';
import { athenaSelect, duckDbCopy } from '../conversion/sql.js';
import { deleteTenant } from '../conversion/tenant-delete.js';
import { monthPartitionPrefix, partitionPrefix } from '../domain/layout.js';
import { closedFrom, DEFAULT_COMPACTION, planCompaction } from './plan.js';
import { athenaMonthCtas, duckDbMonthCopy } from './sql.js';

const dirs: string[] = [];
let store: FileObjectStore;
const T = 'acme-corp';

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-compaction-plan-'));
  dirs.push(dir);
  store = new FileObjectStore(dir);
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const day = (dt: string, bytes = 10, name = 'r1-0') =>
  store.put(`${partitionPrefix('parquet', T, dt)}${name}.parquet`, 'x'.repeat(bytes));

describe('planCompaction', () => {
  it('closes a month after its grace days', () => {
    expect(closedFrom('2026-10', 3)).toBe('2026-11-04');
    expect(closedFrom('2026-12', 0)).toBe('2027-01-01');
  });

  it('takes closed months of small days, oldest first, bounded, without pending or previous-layout days', async () => {
    for (const dt of [
      '2026-07-01',
      '2026-07-02',
      '2026-08-01',
      '2026-08-02',
      '2026-09-01',
      '2026-09-02',
      '2026-09-03',
    ])
      await day(dt);
    for (const dt of ['2026-10-01', '2026-10-02']) await day(dt); // not closed on 2026-11-03
    await store.put(`${partitionPrefix('raw', T, '2026-09-02')}late.json.gz`, 'x'); // pending: waits
    await store.put(`${partitionPrefix('parquetV1', T, '2026-09-03')}old.parquet`, 'x'); // rewritten first

    const plans = await planCompaction(store, T, '2026-11-03', { ...DEFAULT_COMPACTION, maxMonths: 2 });
    const later = await planCompaction(store, T, '2026-11-03', DEFAULT_COMPACTION);

    expect(plans).toEqual([
      { tenantId: T, month: '2026-07', days: ['2026-07-01', '2026-07-02'] },
      { tenantId: T, month: '2026-08', days: ['2026-08-01', '2026-08-02'] },
    ]);
    // 2026-09 has one absorbable day left (below minDays); 2026-10 is not closed.
    expect(later.map((p) => p.month)).toEqual(['2026-07', '2026-08']);
  });

  it('leaves large days (a large tenant) and single days alone, unless the month already has a file', async () => {
    await day('2026-07-01', 100);
    await day('2026-07-02', 10);
    await day('2026-08-01', 10);
    await day('2026-09-05', 100);
    await store.put(`${monthPartitionPrefix(T, '2026-09')}r0-0.parquet`, 'm');
    const policy = { ...DEFAULT_COMPACTION, maxDayBytes: 50 };

    expect(await planCompaction(store, T, '2026-11-03', policy)).toEqual([
      { tenantId: T, month: '2026-09', days: ['2026-09-05'] },
    ]);
  });

  it('compacts again a month whose folder holds two runs (a promotion cut short), with no day to absorb', async () => {
    await store.put(`${monthPartitionPrefix(T, '2026-09')}r0-0.parquet`, 'm');
    await store.put(`${monthPartitionPrefix(T, '2026-09')}r1-0.parquet`, 'm');
    await store.put(`${monthPartitionPrefix(T, '2026-08')}r0-0.parquet`, 'm');

    expect(await planCompaction(store, T, '2026-11-03', DEFAULT_COMPACTION)).toEqual([
      { tenantId: T, month: '2026-09', days: [] },
    ]);
    expect(await planCompaction(store, T, '2026-11-03', { ...DEFAULT_COMPACTION, maxMonths: 0 })).toEqual([]);
  });
});

describe('month files in retention and tenant deletion', () => {
  it('deletes a month once its last day passes the window; its first days outlive it by < 1 month', async () => {
    await store.put(`${monthPartitionPrefix(T, '2026-09')}r-0.parquet`, 'mmm');
    await store.put(`${monthPartitionPrefix(T, '2026-10')}r-0.parquet`, 'mmm');
    await store.put(`${partitionPrefix('parquet', T, '2026-10-20')}r-0.parquet`, 'pp');

    // 30 days on 2026-11-24: the first day kept is 2026-10-25.
    const report = await applyRetention(store, {
      now: new Date('2026-11-24T01:00:00Z'),
      areas: ['parquet'],
      policy: { ...DEFAULT_RETENTION, parquetDays: 30 },
    });

    expect(report).toEqual({ deletedObjects: 2, deletedBytes: 5, deletedPartitions: 2 });
    expect(await listAll(store, '')).toEqual([`${monthPartitionPrefix(T, '2026-10')}r-0.parquet`]);
  });

  it('deleting a tenant removes its month files too', async () => {
    await store.put(`${monthPartitionPrefix(T, '2026-09')}r-0.parquet`, 'mmm');
    await store.put(`${monthPartitionPrefix('beta-inc', '2026-09')}r-0.parquet`, 'mmm');

    await deleteTenant(store, T);

    expect(await listAll(store, '')).toEqual([`${monthPartitionPrefix('beta-inc', '2026-09')}r-0.parquet`]);
  });
});

describe('the compaction statement', () => {
  it('Athena: parses as trino, dedups per day, every value a parameter', () => {
    const { sql, params } = athenaMonthCtas({
      database: 'oplake',
      eventsTable: 'events_v2',
      monthTable: 'events_month',
      tempTable: 'tmp_comp_x',
      stagingLocation:
        's3://lake-bucket/staging/20261110T010000000Z-aaaa0000/tenant_id=acme-corp/month=2026-10/',
      tenantId: T,
      month: '2026-10',
      days: ['2026-10-01', '2026-10-02'],
    });
    const select = sql.slice(sql.indexOf(') AS\n') + 5);
    expect(new sqlParser.Parser().astify(select, { database: 'trino' })).toBeTruthy();
    expect(sql).toContain('PARTITION BY "dt", "device_id", "event_id"');
    expect(sql).toContain('"dt" IN (?, ?)');
    // Written as the conversion writes (derived ids as NULL + event_pos); read ids whole for the dedup.
    expect(select).toMatch(/^SELECT CASE WHEN "event_pos" IS NULL THEN "event_id" END AS "event_id", /);
    expect(select.match(/coalesce\("event_id", concat\('p-', /g)?.length).toBe(2);
    expect(select).toContain('ORDER BY "ranked"."ts" ASC, "ranked"."event_id" ASC');
    expect(params).toEqual([T, '2026-10', T, '2026-10-01', '2026-10-02']);
    expect(select).not.toContain(T); // only in the staging location, which is ours
    expect(() =>
      athenaMonthCtas({
        database: 'oplake',
        eventsTable: 'events_v2',
        monthTable: 'events_month',
        tempTable: 'tmp',
        stagingLocation: 's3://lake-bucket/staging/x/',
        tenantId: T,
        month: '2026-10',
        days: ['2026-11-01'],
      }),
    ).toThrow(RangeError);
  });

  it("a re-opened day's conversion reads only that day's rows of its month (both dialects)", () => {
    const athena = athenaSelect({
      database: 'oplake',
      rawTable: 'raw_events',
      eventsTable: 'events_v2',
      monthTable: 'events_month',
      tenantId: T,
      dt: '2026-10-05',
      snapshotTime: '2026-11-08T10:00:00.000Z',
    });
    expect(new sqlParser.Parser().astify(athena.sql, { database: 'trino' })).toBeTruthy();
    expect(athena.sql).toContain(
      'FROM "oplake"."events_month"\n  WHERE "tenant_id" = ? AND "month" = ? AND "dt" = ?',
    );
    expect(athena.params.slice(-3)).toEqual([T, '2026-10', '2026-10-05']);
    const duck = duckDbCopy({
      tenantId: T,
      dt: '2026-10-05',
      rawFiles: ['/lake/raw.json.gz'],
      parquetFiles: [],
      monthFiles: ['/lake/month.parquet'],
      targetDir: '/lake/s',
    });
    expect(duck).toContain(
      "UNION ALL BY NAME FROM read_parquet(['/lake/month.parquet'], union_by_name = true, hive_partitioning = false)) WHERE \"dt\" = '2026-10-05'",
    );
  });

  it('DuckDB: validated paths, the converted layout, no hive columns', () => {
    const sql = duckDbMonthCopy({
      tenantId: T,
      month: '2026-10',
      files: ["/lake/a'b.parquet"],
      targetDir: '/lake/s',
    });
    expect(sql).toContain("'/lake/a''b.parquet'");
    expect(sql).toContain('hive_partitioning = false');
    expect(sql).toContain('ROW_GROUP_SIZE 16384');
    expect(() => duckDbMonthCopy({ tenantId: T, month: '2026-13', files: ['/x'], targetDir: '/s' })).toThrow(
      RangeError,
    );
    expect(() => duckDbMonthCopy({ tenantId: T, month: '2026-10', files: [], targetDir: '/s' })).toThrow(
      RangeError,
    );
  });
});
