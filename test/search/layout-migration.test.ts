/**
 * Lakes written before typed timestamps keep working: the search reads Parquet of the previous
 * layout (text `ts`, under parquet/) like raw/ (deduplicated), a conversion of such a day merges
 * it into the current layout (parquet-v2/), and a day holding such files is rewritten even with
 * nothing in raw/ (the nightly migration, test/search/layout-upgrade.test.ts).
 * Every step answers the same, byte for byte: nothing lost or doubled. Also the honest bytes:
 * `scannedBytes` is what DuckDB read of the typed files, and the scan cutoff judges that figure
 * (more in bytes-read.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aggregateEvents, type SearchBody, searchEvents } from '../../functions/search/core.js';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { convertPartition } from '../../shared/conversion/convert.js';
import { partitionPrefix } from '../../shared/domain/layout.js';
import { ScanLimitExceededError } from '../../shared/errors.js';
import { parquetColumnTypes } from '../fixtures/lake-reader.js';
import { encodeLines, makeEvent, rng } from '../fixtures/raw-lake.js';
import { type PlacedEvent, writeLake } from '../fixtures/search-lake.js';
import { localDeps, tempLake, wholeAnswer } from './helpers.js';

const T = 'acme-corp';
const DAYS = ['2026-11-20', '2026-11-21'];
const RANGE = { from: '2026-11-20T00:00:00Z', to: '2026-11-22T00:00:00Z' };

describe('a lake in the previous Parquet layout', () => {
  let lake: { root: string; cleanup: () => Promise<void> };
  let store: FileObjectStore;
  let engine: DuckDbConversionEngine;
  const random = rng(7);
  const placed: PlacedEvent[] = DAYS.flatMap((dt) =>
    Array.from({ length: 120 }, (_, i) => ({
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

  const answers = () => wholeAnswer(lake.root, T, RANGE, { pageSize: 50, groupBy: 'hour' });

  it('answers the same before, during and after the migration, and ends in the typed layout', async () => {
    // Prepare: the answer over the old files; one late event lands next to the first day.
    const before = await answers();
    expect(JSON.parse(before).events).toHaveLength(240);
    const late = makeEvent(random, T, DAYS[0] ?? '', 'e-late', 'b-2', `${DAYS[0]}T23:59:59.500Z`);
    await store.put(`${partitionPrefix('raw', T, DAYS[0])}late.json.gz`, encodeLines([late]));
    const withLate = await answers();
    expect(JSON.parse(withLate).events).toHaveLength(241);
    // Act: the day with raw converts (old + new files merge); the other, with nothing in raw/,
    // is rewritten because it holds files of the previous layout; then nothing is left to do
    const converted = await convertPartition({ store, engine }, { tenantId: T, dt: DAYS[0] ?? '' });
    const rewritten = await convertPartition({ store, engine }, { tenantId: T, dt: DAYS[1] ?? '' });
    const again = await convertPartition({ store, engine }, { tenantId: T, dt: DAYS[1] ?? '' });
    // Assess
    expect([converted.status, converted.rows]).toEqual(['converted', 121]);
    expect([rewritten.status, rewritten.rows, rewritten.previousFiles]).toEqual(['converted', 120, 1]);
    expect(again.status).toBe('nothing-to-do');
    expect(await answers()).toBe(withLate);
    for (const dt of DAYS) {
      const types = await parquetColumnTypes(store, partitionPrefix('parquet', T, dt), 'ts');
      expect(types.map((t) => t.type)).toEqual(['INT64']);
      expect(await store.listPrefixes(partitionPrefix('parquetV1', T))).toEqual([]);
    }
  });

  it('counts what DuckDB reads of the typed files, and the scan cutoff judges that figure', async () => {
    // Prepare: the days are in the typed layout now (the test above)
    const deps = localDeps(lake.root);
    try {
      const all = (await searchEvents(T, RANGE, deps)).body as SearchBody;
      const byType = (await aggregateEvents(T, { ...RANGE, groupBy: 'type' }, deps)).body as SearchBody;
      const oneHour = (
        await aggregateEvents(
          T,
          { from: '2026-11-20T00:00:00Z', to: '2026-11-20T01:00:00Z', groupBy: 'type' },
          deps,
        )
      ).body as SearchBody;
      // Act: a cutoff between what the aggregate reads and what the search reads
      const cutoff = Math.floor((all.stats.scannedBytes + byType.stats.scannedBytes) / 2);
      const tight = localDeps(lake.root, { scanCutoffBytes: cutoff });
      const refused = await searchEvents(T, RANGE, tight).then(
        () => null,
        (error: unknown) => error,
      );
      const allowed = await aggregateEvents(T, { ...RANGE, groupBy: 'type' }, tight);
      await tight.engine.close();
      // Assess: an aggregate reads two columns, not the whole rows; the search reads more (on
      // files of 120 rows the footers, read when a statement binds and when it scans, are much
      // of both figures)
      expect(byType.stats.scannedBytes).toBeGreaterThan(0);
      expect(byType.stats.scannedBytes).toBeLessThan(all.stats.scannedBytes);
      // one hour of one day: only that day's file is read
      expect(oneHour.stats.scannedBytes).toBeLessThan(byType.stats.scannedBytes * 0.6);
      expect(refused).toBeInstanceOf(ScanLimitExceededError);
      expect(refused).toMatchObject({ status: 422, code: 'scan_limit_exceeded' });
      expect(allowed.status).toBe(200);
    } finally {
      await deps.engine.close();
    }
  });
});
