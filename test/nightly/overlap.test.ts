/**
 * Two conversions of one tenant-day at the same time (an intraday run beside the nightly one, or
 * two intraday runs), interleaved step by step through convert.ts's `afterStep` hook, on real files
 * with real DuckDB (two engines, as two runs would have): at every step the search answers are
 * byte-equal to the answers before any conversion (nothing lost, nothing doubled), and the day
 * ends with one run's files and nothing in raw/ (docs/nightly.md "Intraday runs", "Overlap").
 */
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { aggregateEvents, type SearchBody, searchEvents } from '../../functions/search/core.js';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { InProcessDayLeases } from '../../shared/adapters/local/in-process-day-leases.js';
import {
  type ConversionResult,
  type ConversionStep,
  convertPartition,
  runsOf,
} from '../../shared/conversion/convert.js';
import { ConversionBusyError, convertDay } from '../../shared/conversion/day-lease.js';
import { discoverTargets } from '../../shared/conversion/discover.js';
import { ConversionEngineError } from '../../shared/conversion/errors.js';
import { partitionPrefix } from '../../shared/domain/layout.js';
import { listAll } from '../fixtures/lake-reader.js';
import { type RawLake, writeLateEvents, writeRawLake } from '../fixtures/raw-lake.js';
import { localDeps, tempLake } from '../search/helpers.js';

const T = 'tenant-000';
const D = '2026-11-24';
const RANGE = { from: '2026-11-24T00:00:00.000Z', to: '2026-11-25T00:00:00.000Z' };
const cleanups: (() => Promise<void>)[] = [];
let root: string;
let store: FileObjectStore;
let lake: RawLake;
let engines: DuckDbConversionEngine[];

/** Every event of the day, all pages, as the API answers them (JSON), and the day's count. */
async function answers(): Promise<{ events: string; count: number }> {
  const deps = localDeps(root);
  try {
    const events: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await searchEvents(T, { ...RANGE, limit: 1000, ...(cursor ? { cursor } : {}) }, deps);
      expect(page.status).toBe(200);
      const body = page.body as SearchBody;
      events.push(...body.events);
      cursor = body.nextCursor;
    } while (cursor !== null);
    const agg = await aggregateEvents(T, { ...RANGE, groupBy: 'day' }, deps);
    const rows = (agg.body as { rows: { count: number }[] }).rows;
    return { events: JSON.stringify(events), count: rows.reduce((n, r) => n + r.count, 0) };
  } finally {
    await deps.engine.close();
  }
}

function expectedCount(): number {
  return lake.expected.get(T)?.get(D)?.size ?? -1;
}

/** A promise and its resolver: one run waits at a step until the other lets it go on. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

beforeEach(async () => {
  const temp = await tempLake();
  cleanups.push(temp.cleanup);
  root = temp.root;
  store = new FileObjectStore(root);
  engines = [0, 1, 2].map(() => new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 }));
  lake = await writeRawLake(store, { tenants: 1, days: 1, lastDay: D, eventsPerTenantDay: 240 });
});

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('two conversions of one tenant-day at once', () => {
  it('both snapshot before either publishes: answers never change, the later one merges, one run remains', async () => {
    const before = await answers();
    expect(before.count).toBe(expectedCount());
    const seen: string[] = [];
    const check = async (who: string, step: ConversionStep) => {
      seen.push(`${who}:${step}`);
      expect(await answers()).toEqual(before);
    };
    const bStaged = gate();
    const bGo = gate();
    let b: Promise<unknown> = Promise.resolve();

    const a = convertPartition(
      {
        store,
        engine: engines[0] as DuckDbConversionEngine,
        afterStep: async (step) => {
          if (step === 'staged' && !seen.includes('a:staged')) {
            // B snapshots now: the same raw objects, A's not yet archived; it stops after staging.
            b = convertPartition(
              {
                store,
                engine: engines[1] as DuckDbConversionEngine,
                afterStep: async (bStep) => {
                  if (bStep === 'staged' && !seen.includes('b:staged')) {
                    seen.push('b:staged');
                    bStaged.open();
                    await bGo.wait;
                    return;
                  }
                  await check('b', bStep);
                },
              },
              { tenantId: T, dt: D },
            );
            await bStaged.wait;
          }
          await check('a', step);
        },
      },
      { tenantId: T, dt: D },
    );
    const first = await a;
    // A is done: its files, raw/ archived, B's staged files not published yet.
    expect(runsOf(await listAll(store, partitionPrefix('parquet', T, D))).size).toBe(1);
    expect(await listAll(store, partitionPrefix('raw', T, D))).toEqual([]);
    bGo.open();
    const second = (await b) as { status: string };

    expect(first).toMatchObject({ status: 'converted', rows: expectedCount() });
    // B published beside A (two runs' files, raw/ empty: checked at B's "published" step), then
    // saw A's files and converted the day again: one run's files.
    expect(seen).toEqual(expect.arrayContaining(['b:published', 'b:replaced', 'b:archived', 'a:archived']));
    expect(second).toMatchObject({ status: 'converted', rows: expectedCount() });
    const files = await listAll(store, partitionPrefix('parquet', T, D));
    expect(runsOf(files).size).toBe(1);
    expect(await listAll(store, partitionPrefix('raw', T, D))).toEqual([]);
    expect(await answers()).toEqual(before);
    // Nothing left to do for the next run.
    expect((await discoverTargets(store, D)).items).toEqual([]);
  });

  it('under the day lease, side by side with events arriving between: the second waits, then converts only what is left', async () => {
    const leases = new InProcessDayLeases();
    let b: Promise<ConversionResult> | undefined;
    const a = convertDay(
      {
        store,
        engine: engines[0] as DuckDbConversionEngine,
        leases,
        afterStep: async (step) => {
          if (step !== 'staged' || b) return;
          // Late raw objects, then B starts beside A, unsynchronised.
          await writeLateEvents(store, lake, T, D, 30, 'between');
          b = convertDay(
            { store, engine: engines[1] as DuckDbConversionEngine, leases },
            { tenantId: T, dt: D },
          );
        },
      },
      { tenantId: T, dt: D },
    );
    const first = await a;
    const second = await b;

    expect(first).toMatchObject({
      status: 'converted',
      rawObjects: lake.rawObjects - 1,
      rows: expectedCount() - 30,
    });
    // B snapshotted after A finished: the late object and A's files, nothing of A's raw objects.
    expect(second).toMatchObject({
      status: 'converted',
      rawObjects: 1,
      previousFiles: first.files,
      rows: expectedCount(),
    });
    expect(leases.holders().size).toBe(0);
    expect(runsOf(await listAll(store, partitionPrefix('parquet', T, D))).size).toBe(1);
    expect(await listAll(store, partitionPrefix('raw', T, D))).toEqual([]);
    const after = await answers();
    expect(after.count).toBe(expectedCount());
    expect(JSON.parse(after.events)).toHaveLength(expectedCount());
    expect((await discoverTargets(store, D)).items).toEqual([]);
  });

  it('without the lease, side by side with events arriving between: whichever way the race goes, each event is kept once, and the next conversion settles the day', async () => {
    // Two unsynchronised conversions may keep moving files the other is reading; after
    // MAX_SETTLE_ROUNDS one gives up with an error (its task is retried). Nothing is lost either way.
    let b: Promise<unknown> | undefined;
    const a = convertPartition(
      {
        store,
        engine: engines[0] as DuckDbConversionEngine,
        // Once: A's own settle rounds (same deps) pass `staged` again.
        afterStep: async (step) => {
          if (step !== 'staged' || b) return;
          await writeLateEvents(store, lake, T, D, 30, 'between');
          b = convertPartition(
            { store, engine: engines[1] as DuckDbConversionEngine },
            { tenantId: T, dt: D },
          );
        },
      },
      { tenantId: T, dt: D },
    );
    const [first] = await Promise.allSettled([a]);
    const [second] = await Promise.allSettled([b]);
    for (const outcome of [first, second]) {
      // A stage whose files kept moving past MAX_SETTLE_ROUNDS, or an archive that lost every move.
      if (outcome?.status === 'rejected') {
        const reason = outcome.reason as NodeJS.ErrnoException;
        expect(reason instanceof ConversionEngineError || reason.code === 'ENOENT').toBe(true);
      }
    }
    const after = await answers();
    expect(after.count).toBe(expectedCount());
    expect(JSON.parse(after.events)).toHaveLength(expectedCount());

    // What the race left (usually nothing) is the next run's: Discover finds it, one conversion settles it.
    const left = (await discoverTargets(store, D)).items;
    if (left.length > 0) {
      expect(left).toEqual([{ tenantId: T, dates: [D] }]);
      await convertPartition({ store, engine: engines[2] as DuckDbConversionEngine }, { tenantId: T, dt: D });
    }
    expect(runsOf(await listAll(store, partitionPrefix('parquet', T, D))).size).toBe(1);
    expect(await listAll(store, partitionPrefix('raw', T, D))).toEqual([]);
    expect(await answers()).toEqual(after);
    expect((await discoverTargets(store, D)).items).toEqual([]);
  });

  it('a run that stops between publishing beside another and merging leaves a day the next conversion repairs', async () => {
    const before = await answers();
    class Stop extends Error {}
    // A publishes and finishes; B, which snapshotted the same raw objects, publishes beside it
    // and stops before its settle step (a crash): two runs' files, raw/ empty.
    const aStaged = gate();
    const bGo = gate();
    const a = convertPartition(
      {
        store,
        engine: engines[0] as DuckDbConversionEngine,
        afterStep: async (step) => {
          if (step === 'staged') {
            aStaged.open();
            await bGo.wait;
          }
        },
      },
      { tenantId: T, dt: D },
    );
    await aStaged.wait;
    const bStaged = gate();
    const bOn = gate();
    const b = convertPartition(
      {
        store,
        engine: engines[1] as DuckDbConversionEngine,
        afterStep: async (step) => {
          if (step === 'staged') {
            bStaged.open();
            await bOn.wait;
          }
          if (step === 'archived') throw new Stop('crash before settling');
        },
      },
      { tenantId: T, dt: D },
    ).catch((error: unknown) => error);
    await bStaged.wait;
    bGo.open();
    await a;
    bOn.open();
    expect(await b).toBeInstanceOf(Stop);
    expect(runsOf(await listAll(store, partitionPrefix('parquet', T, D))).size).toBe(2);
    expect(await listAll(store, partitionPrefix('raw', T, D))).toEqual([]);
    // DuckDB reads a day of two runs as contested: still every event once.
    expect(await answers()).toEqual(before);

    // The nightly Discover finds the day (nothing in raw/), and its conversion merges it.
    const found = await discoverTargets(store, D);
    expect(found.items).toEqual([{ tenantId: T, dates: [D] }]);
    const repaired = await convertPartition(
      { store, engine: engines[2] as DuckDbConversionEngine },
      { tenantId: T, dt: D },
    );

    expect(repaired).toMatchObject({
      status: 'converted',
      rawObjects: 0,
      previousFiles: 2,
      rows: expectedCount(),
    });
    expect(runsOf(await listAll(store, partitionPrefix('parquet', T, D))).size).toBe(1);
    expect(await answers()).toEqual(before);
  });
});

describe('the tenant-day lease (convertDay)', () => {
  it('waits with doubling pauses while another conversion holds the day, then gives up with ConversionBusyError and leaves the day as it was', async () => {
    const leases = new InProcessDayLeases();
    const held = await leases.tryAcquire(T, D, 'other-run');
    const before = await answers();
    const pauses: number[] = [];
    const sleep = async (ms: number) => {
      pauses.push(ms);
    };
    await expect(
      convertDay(
        { store, engine: engines[0] as DuckDbConversionEngine, leases, leaseWaitMs: 1_000, sleep },
        { tenantId: T, dt: D },
      ),
    ).rejects.toBeInstanceOf(ConversionBusyError);
    expect(pauses).toEqual([100, 200, 400, 300]);
    expect(await listAll(store, partitionPrefix('raw', T, D))).toHaveLength(lake.rawObjects);
    expect(await listAll(store, partitionPrefix('parquet', T, D))).toEqual([]);
    expect(await answers()).toEqual(before);

    // Given back: the next attempt converts.
    await held?.release();
    const done = await convertDay(
      { store, engine: engines[0] as DuckDbConversionEngine, leases, leaseWaitMs: 1_000, sleep },
      { tenantId: T, dt: D },
    );
    expect(done).toMatchObject({ status: 'converted', rows: expectedCount() });
    expect(await answers()).toEqual(before);
  });

  it('gives the day back when the conversion fails, and holds only its own day', async () => {
    const leases = new InProcessDayLeases();
    class Crash extends Error {}
    const seen: string[][] = [];
    await expect(
      convertDay(
        {
          store,
          engine: engines[0] as DuckDbConversionEngine,
          leases,
          afterStep: (step) => {
            seen.push([...leases.holders().keys()]);
            if (step === 'published') throw new Crash('crash after publishing');
          },
        },
        { tenantId: T, dt: D },
      ),
    ).rejects.toBeInstanceOf(Crash);
    expect(seen).toEqual([[`${T}/${D}`], [`${T}/${D}`], [`${T}/${D}`]]);
    expect(leases.holders().size).toBe(0);
    // The crashed conversion's day is pending; the next one converts it.
    expect(
      await convertDay(
        { store, engine: engines[1] as DuckDbConversionEngine, leases },
        { tenantId: T, dt: D },
      ),
    ).toMatchObject({ status: 'converted', rows: expectedCount() });
  });
});

afterAll(async () => {
  for (const e of engines) await e.close();
});
