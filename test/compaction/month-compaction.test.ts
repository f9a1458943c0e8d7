/**
 * Compaction of a small tenant's closed month into one file, over real files and DuckDB: the
 * answers (every page of a search, an aggregate by day and by hour) are byte-equal to the lake's
 * before compaction at every step, after a crash after each step and the next night's re-run, when
 * a late arrival re-opens a compacted day (raw beside the month file, then converted again from
 * raw + the month's rows), and once the month is compacted again. Nothing lost, nothing doubled.
 * Some events were sent without an id (the real normaliser derives it from their position): the
 * month file stores only their position, as the day files do, except those of a day converted
 * before `event_pos` existed (its file stores every id, and still compacts).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DuckDbCompactionEngine } from '../../shared/adapters/local/duckdb-compaction-engine.js';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { COMPACTION_STEPS, type CompactionStep, compactMonth } from '../../shared/compaction/compact.js';
import { DEFAULT_COMPACTION, planCompaction } from '../../shared/compaction/plan.js';
import { convertPartition } from '../../shared/conversion/convert.js';
import type { StoredEvent } from '../../shared/domain/event.js';
import { monthPartitionPrefix, partitionPrefix } from '../../shared/domain/layout.js';
import { normalizeEvent } from '../../shared/domain/normalize.js';
import { listAll, readParquetRows, storedIds } from '../fixtures/lake-reader.js';
import { encodeLines, makeEvent, rng } from '../fixtures/raw-lake.js';
import { type PlacedEvent, writeLake } from '../fixtures/search-lake.js';
import { wholeAnswer } from '../search/helpers.js';

const T = 'acme-corp';
const OCTOBER = ['2026-10-27', '2026-10-28', '2026-10-29', '2026-10-30', '2026-10-31'];
const NOVEMBER = ['2026-11-01', '2026-11-02'];
const TODAY = '2026-11-10';
const RANGE = { from: '2026-10-26T00:00:00Z', to: '2026-11-04T00:00:00Z' };
const DAY = { from: '2026-10-29T00:00:00Z', to: '2026-10-30T00:00:00Z' };
const clock = { now: () => new Date(`${TODAY}T01:00:00.000Z`) };
/** Events a day sent without an id (positions 0..n-1 of the day's batch `b-pos`). */
const POSITIONAL = 12;
/** An October day whose file was written before `event_pos` (every id stored). */
const BEFORE_POSITIONS = '2026-10-28';
const MONTH_ROWS = 5 * (60 + POSITIONAL);

/** An event sent without `eventId` at `index` of its batch, stored by the real normaliser. */
function positionalEvent(random: () => number, dt: string, index: number): StoredEvent {
  const e = makeEvent(random, T, dt, 'unused', 'b-pos', `${dt}T23:59:59.000Z`);
  return normalizeEvent(
    {
      index,
      deviceId: e.device_id,
      event: { type: 'app', ts: e.ts, user: e.user ?? 'u', app: e.app ?? 'excel.exe', title: e.title ?? 't' },
    },
    { tenantId: T, batchId: 'b-pos', receivedAt: `${dt}T23:59:59.000Z`, derivation: 'position' },
  );
}

class SimulatedCrash extends Error {}

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-compact-'));
  dirs.push(dir);
  return dir;
}

/** The lake's answers: every page newest first + by day over the range; by hour over one day. */
async function answers(root: string): Promise<string> {
  const range = await wholeAnswer(root, T, RANGE, { pageSize: 41, groupBy: 'day' });
  const day = await wholeAnswer(root, T, DAY, { pageSize: 17, groupBy: 'hour' });
  return `${range}\n${day}`;
}

async function compactAll(
  store: FileObjectStore,
  engine: DuckDbCompactionEngine,
  afterStep?: (s: CompactionStep) => void,
) {
  const plans = await planCompaction(store, T, TODAY, DEFAULT_COMPACTION);
  for (const plan of plans)
    await compactMonth({ store, engine, clock, ...(afterStep ? { afterStep } : {}) }, plan);
  return plans;
}

const dayFolders = async (store: FileObjectStore) =>
  (await store.listPrefixes(partitionPrefix('parquet', T))).map((p) => /dt=([\d-]+)\//.exec(p)?.[1]);

describe('compaction of a closed month into one file', () => {
  let base: string;
  let expected: string;
  const random = rng(5);
  // 60 events a day, converted; one more day (2026-11-03) still raw; another tenant's days untouched.
  const placed: PlacedEvent[] = [...OCTOBER, ...NOVEMBER].flatMap((dt) =>
    Array.from({ length: 60 }, (_, i) => ({
      area: 'parquet' as const,
      event: makeEvent(random, T, dt, `e-${dt}-${i}`, 'b-1', `${dt}T23:59:59.000Z`),
    })),
  );
  placed.push(
    ...[...OCTOBER, ...NOVEMBER].flatMap((dt) =>
      Array.from({ length: POSITIONAL }, (_, i) => ({
        area: 'parquet' as const,
        event: positionalEvent(random, dt, i),
      })),
    ),
  );
  placed.push(
    ...Array.from({ length: 20 }, (_, i) => ({
      area: 'raw' as const,
      event: makeEvent(random, T, '2026-11-03', `e-raw-${i}`, 'b-2', '2026-11-03T23:59:59.000Z'),
    })),
  );

  beforeAll(async () => {
    base = await freshDir();
    const before = (p: PlacedEvent) => p.event.dt === BEFORE_POSITIONS;
    await writeLake(
      base,
      placed.filter((p) => !before(p)),
    );
    await writeLake(base, placed.filter(before), 'before-positions');
    expected = await answers(base);
    expect(JSON.parse(expected.split('\n')[0] ?? '').events).toHaveLength(7 * (60 + POSITIONAL) + 20);
    const day = (dt: string) => storedIds(new FileObjectStore(base), partitionPrefix('parquet', T, dt));
    expect(await day(BEFORE_POSITIONS)).toEqual({ stored: 60 + POSITIONAL, positional: 0 });
    expect(await day('2026-10-29')).toEqual({ stored: 60, positional: POSITIONAL });
  });
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('plans only the closed month, compacts it into one ts-sorted file and answers the same', async () => {
    // Prepare
    const root = await freshDir();
    await cp(base, root, { recursive: true });
    const store = new FileObjectStore(root);
    const engine = new DuckDbCompactionEngine(store, { memoryLimit: '256MB', threads: 1 });
    try {
      // Act
      const plans = await compactAll(store, engine);
      // Assess: October compacted (November is not closed yet), its folders gone, one file
      expect(plans).toEqual([{ tenantId: T, month: '2026-10', days: OCTOBER }]);
      expect(await dayFolders(store)).toEqual(NOVEMBER);
      const files = await listAll(store, monthPartitionPrefix(T, '2026-10'));
      expect(files).toHaveLength(1);
      const rows = await readParquetRows(store, monthPartitionPrefix(T, '2026-10'));
      expect(rows).toHaveLength(MONTH_ROWS);
      // Derived ids stored as their position only (NULL id), but the day written before event_pos.
      expect(await storedIds(store, monthPartitionPrefix(T, '2026-10'))).toEqual({
        stored: 5 * 60 + POSITIONAL,
        positional: 4 * POSITIONAL,
      });
      expect(rows.filter((r) => r.event_id.startsWith('p-'))).toHaveLength(5 * POSITIONAL);
      const ts = rows.map((r) => r.ts);
      expect(ts).toEqual([...ts].sort());
      expect(new Set(rows.map((r) => r.dt))).toEqual(new Set(OCTOBER));
      expect(await answers(root)).toBe(expected);
      // A second night finds nothing to do.
      expect(await compactAll(store, engine)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('compacts a month whose day files all predate event_pos (every id stored) and answers the same', async () => {
    // Prepare: October only, every day file written before event_pos
    const root = await freshDir();
    const october = placed.filter((p) => p.event.dt.startsWith('2026-10'));
    await writeLake(root, october, 'before-positions');
    const before = await answers(root);
    const store = new FileObjectStore(root);
    const engine = new DuckDbCompactionEngine(store, { memoryLimit: '256MB', threads: 1 });
    try {
      // Act
      const plans = await compactAll(store, engine);
      // Assess: compacted, the ids as they were stored (none to derive), the same answers
      expect(plans).toEqual([{ tenantId: T, month: '2026-10', days: OCTOBER }]);
      expect(await dayFolders(store)).toEqual([]);
      expect(await storedIds(store, monthPartitionPrefix(T, '2026-10'))).toEqual({
        stored: MONTH_ROWS,
        positional: 0,
      });
      expect(JSON.parse(before.split('\n')[0] ?? '').events).toHaveLength(MONTH_ROWS);
      expect(await answers(root)).toBe(before);
    } finally {
      await engine.close();
    }
  });

  it("a late arrival re-opens a day of a month file written before event_pos: converted with the month's rows", async () => {
    // Prepare: October in a month file of the layout before event_pos, a late raw batch for a day
    const root = await freshDir();
    const october = placed.filter((p) => p.event.dt.startsWith('2026-10'));
    await writeLake(
      root,
      october.map((p) => ({ ...p, area: 'month' as const })),
      'before-positions',
    );
    const day = '2026-10-29';
    const store = new FileObjectStore(root);
    await store.put(
      `${partitionPrefix('raw', T, day)}late.json.gz`,
      encodeLines([makeEvent(random, T, day, 'e-late-x', 'b-9', '2026-11-08T10:00:00.000Z')]),
    );
    const before = await answers(root);
    expect(JSON.parse(before.split('\n')[0] ?? '').events).toHaveLength(MONTH_ROWS + 1);
    const conversion = new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 });
    try {
      // Act
      const converted = await convertPartition(
        { store, engine: conversion, clock },
        { tenantId: T, dt: day },
      );
      // Assess: the day's month rows (their ids as stored: the old file has no positions) and the
      // late event; answers unchanged
      expect(converted.rows).toBe(60 + POSITIONAL + 1);
      expect(await storedIds(store, partitionPrefix('parquet', T, day))).toEqual({
        stored: 61 + POSITIONAL,
        positional: 0,
      });
      expect(await answers(root)).toBe(before);
    } finally {
      await conversion.close();
    }
  });

  it.each(COMPACTION_STEPS)(
    'a crash after %s leaves the same answers, and the next night converges',
    async (crashAt) => {
      // Prepare: a lake already holding a month file, re-opened, so every step has old files to replace
      const root = await freshDir();
      await cp(base, root, { recursive: true });
      const store = new FileObjectStore(root);
      const engine = new DuckDbCompactionEngine(store, { memoryLimit: '256MB', threads: 1 });
      try {
        await compactAll(store, engine);
        // Act: the next compaction crashes after `crashAt` (a day folder to absorb: move one back)
        await cp(
          join(base, partitionPrefix('parquet', T, '2026-10-30')),
          join(root, partitionPrefix('parquet', T, '2026-10-30')),
          {
            recursive: true,
          },
        );
        expect(await answers(root)).toBe(expected);
        await expect(
          compactAll(store, engine, (step) => {
            if (step === crashAt) throw new SimulatedCrash(step);
          }),
        ).rejects.toThrow(SimulatedCrash);
        // Assess: the same answers in the state left, then after the next night's run
        expect(await answers(root)).toBe(expected);
        await compactAll(store, engine);
        expect(await answers(root)).toBe(expected);
        expect(await dayFolders(store)).toEqual(NOVEMBER);
        const runs = new Set(
          (await listAll(store, monthPartitionPrefix(T, '2026-10'))).map(
            (k) => k.split('/').pop()?.split('-0.')[0],
          ),
        );
        expect(runs.size).toBe(1);
        expect(await readParquetRows(store, monthPartitionPrefix(T, '2026-10'))).toHaveLength(MONTH_ROWS);
      } finally {
        await engine.close();
      }
    },
  );

  it('a late arrival re-opens a compacted day: contested until the month is compacted again', async () => {
    // Prepare: twin lakes, one compacted, one never compacted
    const root = await freshDir();
    const twin = await freshDir();
    await cp(base, root, { recursive: true });
    await cp(base, twin, { recursive: true });
    const store = new FileObjectStore(root);
    const twinStore = new FileObjectStore(twin);
    const compaction = new DuckDbCompactionEngine(store, { memoryLimit: '256MB', threads: 1 });
    const conversion = new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 });
    const twinConversion = new DuckDbConversionEngine(twinStore, { memoryLimit: '256MB', threads: 1 });
    try {
      await compactAll(store, compaction);
      // A late batch for 2026-10-29: a new event, an earlier copy of a converted one (it wins, and
      // its title differs), and a later copy of another (it loses).
      const day = '2026-10-29';
      const old = placed.filter((p) => p.event.dt === day).map((p) => p.event);
      const [first, second] = [old[0], old[1]];
      if (!first || !second) throw new Error('fixture has no events for the day');
      const late = [
        makeEvent(random, T, day, 'e-late-1', 'b-9', '2026-11-08T10:00:00.000Z'),
        { ...first, title: 'earlier copy wins', received_at: '2026-10-29T00:00:00.000Z', batch_id: 'b-0' },
        { ...second, title: 'later copy loses', received_at: '2026-11-08T10:00:00.000Z', batch_id: 'b-9' },
      ];
      for (const s of [store, twinStore])
        await s.put(`${partitionPrefix('raw', T, day)}late.json.gz`, encodeLines(late));
      const expectedLate = await answers(twin);
      expect(expectedLate).not.toBe(expected);
      // Act + Assess: raw beside the month file; then the day converted again (its month rows merged);
      // then the month compacted again
      expect(await answers(root)).toBe(expectedLate);
      const converted = await convertPartition(
        { store, engine: conversion, clock },
        { tenantId: T, dt: day },
      );
      await convertPartition({ store: twinStore, engine: twinConversion, clock }, { tenantId: T, dt: day });
      expect(converted.rows).toBe(61 + POSITIONAL);
      expect(await answers(twin)).toBe(expectedLate);
      expect(await answers(root)).toBe(expectedLate);
      const plans = await compactAll(store, compaction);
      expect(plans).toEqual([{ tenantId: T, month: '2026-10', days: [day] }]);
      expect(await answers(root)).toBe(expectedLate);
      expect(await dayFolders(store)).toEqual(NOVEMBER);
      expect(await readParquetRows(store, monthPartitionPrefix(T, '2026-10'))).toHaveLength(MONTH_ROWS + 1);
      // The re-opened day's positional rows went through its conversion and back: positions still.
      expect(await storedIds(store, monthPartitionPrefix(T, '2026-10'))).toEqual({
        stored: 5 * 60 + 1 + POSITIONAL,
        positional: 4 * POSITIONAL,
      });
    } finally {
      await compaction.close();
      await conversion.close();
      await twinConversion.close();
    }
  });
});
