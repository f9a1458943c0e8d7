/**
 * Honest bytes in local mode (docs/search.md "Bytes read"): `stats.scannedBytes` is what DuckDB
 * read for the question, from its profiler, and the scan cutoff judges that figure; over real
 * Parquet days (ts-sorted, 16,384-row groups) and a raw gzip day written by the data-set fixture.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aggregateEvents, type SearchBody, searchEvents } from '../../functions/search/core.js';
import { PREFIX } from '../../shared/domain/layout.js';
import { ScanLimitExceededError } from '../../shared/errors.js';
import { generateDataset } from '../fixtures/search-lake.js';
import { localDeps, tempLake } from './helpers.js';

const T = 'tenant-01';
/** Four converted days (2026-11-19..22, 40,000 events each: 3 row groups a file), one raw day. */
const PARQUET_DAYS = { from: '2026-11-19T00:00:00Z', to: '2026-11-23T00:00:00Z' };
const RAW_DAY = { from: '2026-11-23T00:00:00Z', to: '2026-11-24T00:00:00Z' };
const USER = { ...PARQUET_DAYS, filters: { user: 'user007' }, limit: 100 };
const BY_APP = { ...PARQUET_DAYS, groupBy: 'app' };

async function sizes(root: string, area: string): Promise<number> {
  const files = await readdir(join(root, area, `tenant_id=${T}`), { recursive: true });
  const all = await Promise.all(files.map((f) => stat(join(root, area, `tenant_id=${T}`, f))));
  return all.filter((s) => s.isFile()).reduce((n, s) => n + s.size, 0);
}

type Stats = { scannedBytes: number };
const bytesOf = (body: unknown): number => (body as { stats: Stats }).stats.scannedBytes;

describe('stats.scannedBytes in local mode: what DuckDB read', () => {
  let lake: { root: string; cleanup: () => Promise<void> };
  let parquetBytes: number;
  let gzipBytes: number;
  /** Each question's figure asked alone, on an engine of its own. */
  const alone = { user: 0, byApp: 0 };

  beforeAll(async () => {
    lake = await tempLake();
    await generateDataset({
      lakeRoot: lake.root,
      tenants: 1,
      days: 5,
      eventsPerTenantDay: 40_000,
      rawDays: 1,
      duplicateRate: 0,
      lastDay: '2026-11-23',
    });
    parquetBytes = await sizes(lake.root, PREFIX.parquet);
    gzipBytes = await sizes(lake.root, PREFIX.raw);
    const deps = localDeps(lake.root);
    try {
      alone.user = bytesOf((await searchEvents(T, USER, deps)).body);
      alone.byApp = bytesOf((await aggregateEvents(T, BY_APP, deps)).body);
    } finally {
      await deps.engine.close();
    }
  }, 60_000);
  afterAll(async () => {
    await lake.cleanup();
  });

  it('counts a small part of the files for a newest-first filtered search, the same figure every time', async () => {
    // Prepare
    const deps = localDeps(lake.root);
    try {
      // Act
      const first = await searchEvents(T, USER, deps);
      const again = await searchEvents(T, USER, deps);
      // Assess: the top-N stops after the newest row groups; DuckDB's file cache is off, so the
      // repeated question reads (and reports) the same bytes instead of 0
      expect((first.body as SearchBody).events).toHaveLength(100);
      expect(bytesOf(first.body)).toBe(alone.user);
      expect(alone.user).toBeGreaterThan(0);
      expect(alone.user).toBeLessThan(parquetBytes * 0.1);
      expect(bytesOf(again.body)).toBe(alone.user);
    } finally {
      await deps.engine.close();
    }
  });

  it('counts an aggregate by its columns (ts, app, duration): less than a text search over every row', async () => {
    // Prepare
    const deps = localDeps(lake.root);
    try {
      // Act
      const byApp = await aggregateEvents(T, BY_APP, deps);
      // a text filter no row matches: its four columns of every row group are read
      const everyRow = await searchEvents(
        T,
        { ...PARQUET_DAYS, filters: { text: 'no such words' }, order: 'asc' },
        deps,
      );
      // Assess
      expect((everyRow.body as SearchBody).events).toEqual([]);
      expect(bytesOf(byApp.body)).toBe(alone.byApp);
      expect(alone.byApp).toBeGreaterThan(0);
      expect(alone.byApp).toBeLessThan(bytesOf(everyRow.body) / 2);
      expect(alone.byApp).toBeLessThan(parquetBytes * 0.1);
    } finally {
      await deps.engine.close();
    }
  });

  it('counts a raw gzip day whole: the object read, not the few header bytes DuckDB counts of it', async () => {
    // Prepare
    const deps = localDeps(lake.root);
    try {
      // Act
      const search = await searchEvents(T, { ...RAW_DAY, limit: 10 }, deps);
      const aggregate = await aggregateEvents(T, { ...RAW_DAY, groupBy: 'type' }, deps);
      // Assess: the object's size, plus the few bytes DuckDB's profiler counts of it
      for (const body of [search.body, aggregate.body]) {
        expect(bytesOf(body)).toBeGreaterThanOrEqual(gzipBytes);
        expect(bytesOf(body)).toBeLessThan(gzipBytes + 1024);
      }
    } finally {
      await deps.engine.close();
    }
  });

  it('gives each of concurrent questions its own figure', async () => {
    // Prepare
    const deps = localDeps(lake.root);
    try {
      // Act
      const answers = await Promise.all([
        searchEvents(T, USER, deps),
        aggregateEvents(T, BY_APP, deps),
        searchEvents(T, USER, deps),
        aggregateEvents(T, BY_APP, deps),
      ]);
      // Assess
      expect(answers.map((a) => bytesOf(a.body))).toEqual([alone.user, alone.byApp, alone.user, alone.byApp]);
    } finally {
      await deps.engine.close();
    }
  });

  it('refuses a question whose bytes read pass the cutoff, and answers one just within it', async () => {
    // Prepare: the cutoff at what the search reads; a pre-run estimate of every answer column
    // of every row group in range (the files' size, less footers) would have refused it
    const exact = localDeps(lake.root, { scanCutoffBytes: alone.user });
    const under = localDeps(lake.root, { scanCutoffBytes: alone.user - 1 });
    const raw = localDeps(lake.root, { scanCutoffBytes: gzipBytes - 1 });
    try {
      // Act
      const answered = await searchEvents(T, USER, exact);
      const refused = await searchEvents(T, USER, under).catch((error: unknown) => error);
      const rawRefused = await aggregateEvents(T, { ...RAW_DAY, groupBy: 'type' }, raw).catch(
        (e: unknown) => e,
      );
      // Assess
      expect(answered.status).toBe(200);
      expect(bytesOf(answered.body)).toBe(alone.user);
      expect(refused).toBeInstanceOf(ScanLimitExceededError);
      expect(refused).toMatchObject({
        status: 422,
        code: 'scan_limit_exceeded',
        details: [{ scannedBytes: expect.any(Number), cutoffBytes: alone.user - 1 }],
      });
      const [detail] = (refused as ScanLimitExceededError).details ?? [];
      expect(Number(detail?.scannedBytes)).toBeGreaterThan(alone.user - 1);
      // A raw gzip object is read whole: refused before any statement runs, on its size alone
      expect(rawRefused).toMatchObject({
        code: 'scan_limit_exceeded',
        details: [{ scannedBytes: gzipBytes, cutoffBytes: gzipBytes - 1 }],
      });
    } finally {
      await Promise.all([exact, under, raw].map((d) => d.engine.close()));
    }
  });
});
