/**
 * The upgrade of a deployed lake, run as it runs on AWS: files of the previous layout (text `ts`)
 * stay under parquet/ (their own Glue table), new files go to parquet-v2/, and the nightly
 * workflow rewrites a bounded number of old days per run until none remain. At every moment —
 * before, between nights, and inside a rewrite while a day holds both layouts — every search
 * answers the same, byte for byte: nothing lost or doubled.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { partitionPrefix } from '../../shared/domain/layout.js';
import { runNightly } from '../../shared/local/workflow/run-nightly.js';
import { parquetColumnTypes } from '../fixtures/lake-reader.js';
import { encodeLines, makeEvent, rng } from '../fixtures/raw-lake.js';
import { type PlacedEvent, writeLake } from '../fixtures/search-lake.js';
import { tempLake, wholeAnswer } from './helpers.js';

const T = 'acme-corp';
const DAYS = ['2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21'];
const RANGE = { from: '2026-11-18T00:00:00Z', to: '2026-11-22T00:00:00Z' };
const clock = { now: () => new Date('2026-11-23T01:00:00.000Z') };

describe('upgrading a deployed lake to the typed layout, a few days a night', () => {
  let lake: { root: string; cleanup: () => Promise<void> };
  let store: FileObjectStore;
  let engine: DuckDbConversionEngine;
  const random = rng(11);
  const placed: PlacedEvent[] = DAYS.flatMap((dt) =>
    Array.from({ length: 60 }, (_, i) => ({
      area: 'parquet' as const,
      event: makeEvent(random, T, dt, `e-${dt}-${i}`, 'b-1', `${dt}T23:59:59.000Z`),
    })),
  );

  beforeAll(async () => {
    lake = await tempLake();
    store = new FileObjectStore(lake.root);
    engine = new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 });
    await writeLake(lake.root, placed, 'legacy');
  });
  afterAll(async () => {
    await engine.close();
    await lake.cleanup();
  });

  const answers = () => wholeAnswer(lake.root, T, RANGE, { pageSize: 70, groupBy: 'day' });

  const legacyDays = async () => (await store.listPrefixes(partitionPrefix('parquetV1', T))).length;

  it('rewrites at most the configured days a night, answers the same at every moment, and ends with none', async () => {
    // Prepare: the answer over the old layout, plus a late event for the newest day in raw/
    const late = makeEvent(random, T, DAYS[3] ?? '', 'e-late', 'b-2', `${DAYS[3]}T23:59:59.500Z`);
    await store.put(`${partitionPrefix('raw', T, DAYS[3])}late.json.gz`, encodeLines([late]));
    const expected = await answers();
    expect(JSON.parse(expected).events).toHaveLength(4 * 60 + 1);
    expect(await legacyDays()).toBe(4);
    // Act: nights with a budget of one old day each; inside each rewrite, answer while the day's
    // new files sit beside its old ones (published, not yet replaced)
    const during: string[] = [];
    const remaining: number[] = [];
    const reported: number[] = [];
    for (let night = 0; night < 6 && (await legacyDays()) > 0; night++) {
      const summary = await runNightly({
        store,
        engine,
        clock,
        legacyDaysPerRun: 1,
        metrics: {
          addMetric: (name, _unit, value) => void (name === 'NightlyLegacyDays' && reported.push(value)),
        },
        afterStep: async (step) => {
          if (step === 'published') during.push(await answers());
        },
      });
      expect(summary.failed).toBe(0);
      remaining.push(await legacyDays());
      expect(await answers()).toBe(expected);
    }
    // Assess: night 1 takes the raw day (which also holds old files) and the oldest old day;
    // then one a night; every answer taken mid-rewrite equals the one before the upgrade
    expect(remaining).toEqual([2, 1, 0]);
    expect(reported).toEqual([4, 2, 1]);
    expect(during.length).toBe(4);
    for (const answer of during) expect(answer).toBe(expected);
    for (const dt of DAYS) {
      const types = await parquetColumnTypes(store, partitionPrefix('parquet', T, dt), 'ts');
      expect(types.map((t) => t.type)).toEqual(['INT64']);
    }
    // A night with nothing left to migrate converts nothing and reports zero.
    const idle = await runNightly({
      store,
      engine,
      clock,
      metrics: {
        addMetric: (name, _unit, value) => void (name === 'NightlyLegacyDays' && reported.push(value)),
      },
    });
    expect([idle.targets, reported.at(-1)]).toEqual([0, 0]);
  });
});
