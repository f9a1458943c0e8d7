/**
 * search (issue 8): the administrator's questions on the realistic data set
 * (search-dataset.ts), each asked of the same lake three ways in the same run, interleaved:
 *   converted  the product over the lake as intraday runs leave it (search-dataset.ts
 *              intradayLake: Parquet up to the last run, raw/ holding the hour since, late resends);
 *   nightly    the product over what nightly runs alone leave (today and yesterday raw);
 *   raw        the product over the same events never converted (all gzip JSON): the "before";
 *   ideal      DuckDB straight on each converted lake's Parquet files of the range (newest first
 *              for a newest-first page), filter pushed, no dedup, its raw/ left out: the floor of
 *              this machine (event ids derived where the files store only the position, as the
 *              product must: the same ids).
 * Converted and raw answers must be identical (byte for byte), else the bench fails. Reports
 * medians, bytes read (stats.scannedBytes) and the issue's targets; writes a Markdown table to
 * test/bench/results/search-latest.md.
 */
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { aggregateLocal, closeLocalEngines, searchLocal } from '../../functions/search/local.js';
import { PARQUET_COPY_OPTIONS, sqlString } from '../../shared/conversion/sql.js';
import { PREFIX } from '../../shared/domain/layout.js';
import { parquetEventId } from '../../shared/query/sql.js';
import {
  type CaseResult,
  formatMb,
  formatMs,
  formatSize,
  geomean,
  median,
  queryMeasurement,
} from './harness.js';
import { benchLakes, INTRADAY_CUT, intradayLake } from './search-dataset.js';
import { athenaBytes, filesOf, idealSql, oneDay, QUIET_DAY, SHAPES, type Shape } from './search-shapes.js';

const ROUNDS = Number(process.env.OPLAKE_BENCH_ROUNDS ?? 3);
interface Row {
  shape: Shape;
  /**
   * intraday: the product over the lake as intraday runs leave it (the local default);
   * converted: nightly runs only; ideal / idealNightly: DuckDB on the Parquet of each.
   */
  ms: { intraday: number; converted: number; raw: number; ideal: number; idealNightly: number };
  bytes: { intraday: number; converted: number; raw: number };
  /** What Athena would bill for the question over the converted lake (athenaBytes). */
  athenaBytes: number;
  answer: string;
}

export async function run(progress: (message: string) => void): Promise<CaseResult[]> {
  const lakes = await benchLakes(progress);
  const intraday = await intradayLake(lakes, progress);
  const duck = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await duck.connect();
  const rows: Row[] = [];
  try {
    for (const shape of SHAPES) {
      const range = shape.body as { from: string; to: string };
      // The best the engine can do: a newest-first page reads the newest files first, so its
      // top-N fills at once and prunes older row groups (the product does the same).
      const idealOf = async (lake: string) => {
        const files = (await filesOf(lake, 'parquet', shape.tenant, range)).files.filter((f) =>
          f.endsWith('.parquet'),
        );
        // Nightly runs only leave today all raw: no Parquet in range, nothing to ask directly.
        if (files.length === 0) return null;
        return idealSql(shape, shape.kind === 'search' ? files.reverse() : files);
      };
      const ideal = await idealOf(intraday);
      if (ideal === null)
        throw new Error(`search bench: ${shape.name}: no Parquet in range of the converted lake`);
      const idealNightly = await idealOf(lakes.converted);
      const ask = async (lake: string) => {
        const result =
          shape.kind === 'search'
            ? await searchLocal(lake, shape.tenant, shape.body)
            : await aggregateLocal(lake, shape.tenant, shape.body);
        const answer = 'events' in result ? result.events : result.rows;
        return { answer: JSON.stringify(answer), bytes: result.stats.scannedBytes };
      };
      // With no raw day in range the ideal answer is the product's: the same ids, in order.
      const rawDays = (await filesOf(intraday, 'raw', shape.tenant, range)).files.length;
      const timed = async <T>(work: () => Promise<T>) => {
        const t = performance.now();
        const value = await work();
        return { value, ms: performance.now() - t };
      };
      const timings = { intraday: [], converted: [], raw: [], ideal: [], idealNightly: [] } as Record<
        keyof Row['ms'],
        number[]
      >;
      const none = { answer: '', bytes: 0 };
      let last = { intraday: none, converted: none, raw: none };
      for (let round = 0; round <= ROUNDS; round++) {
        progress(`search/${shape.name}: ${round === 0 ? 'warm-up' : `round ${round}/${ROUNDS}`}`);
        const i = await timed(() => ask(intraday));
        const c = await timed(() => ask(lakes.converted));
        const r = await timed(() => ask(lakes.raw));
        const idealRows = await timed(() => connection.runAndReadAll(ideal));
        const n = idealNightly === null ? null : await timed(() => connection.runAndReadAll(idealNightly));
        if (c.value.answer !== r.value.answer || i.value.answer !== r.value.answer) {
          throw new Error(`search bench: ${shape.name} answers differently before and after conversion`);
        }
        if (shape.kind === 'search' && rawDays === 0) {
          const ids = (JSON.parse(i.value.answer) as { eventId: string }[]).map((e) => e.eventId);
          if (
            JSON.stringify(ids) !==
            JSON.stringify(idealRows.value.getRowObjectsJS().map((row) => row.event_id))
          ) {
            throw new Error(`search bench: ${shape.name}: the ideal query's ids differ from the product's`);
          }
        }
        if (round === 0) continue;
        timings.intraday.push(i.ms);
        timings.converted.push(c.ms);
        timings.raw.push(r.ms);
        timings.ideal.push(idealRows.ms);
        timings.idealNightly.push(n?.ms ?? Number.NaN);
        last = { intraday: i.value, converted: c.value, raw: r.value };
      }
      rows.push({
        shape,
        ms: {
          intraday: median(timings.intraday),
          converted: median(timings.converted),
          raw: median(timings.raw),
          ideal: median(timings.ideal),
          idealNightly: median(timings.idealNightly),
        },
        bytes: { intraday: last.intraday.bytes, converted: last.converted.bytes, raw: last.raw.bytes },
        athenaBytes: await athenaBytes(connection, intraday, shape),
        answer: last.intraday.answer,
      });
    }
  } finally {
    connection.closeSync();
    duck.closeSync();
    await closeLocalEngines();
  }
  const sizes = await storageSizes(lakes.converted, lakes.raw);
  const day = await daySizes(lakes, 'large-01', QUIET_DAY);
  const markdown = report(rows, sizes, day);
  progress(`search:\n${markdown}`);
  await writeFile(new URL('./results/search-latest.md', import.meta.url), `${markdown}\n`);
  return rows.flatMap((r) => toCases(r));
}

/** Parquet bytes of the converted days against the raw gzip bytes of the same tenant-days. */
async function storageSizes(converted: string, raw: string): Promise<{ parquet: number; rawGzip: number }> {
  let parquet = 0;
  let rawGzip = 0;
  const walk = async (dir: string, onFile: (path: string, size: number) => void) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path, onFile);
      else onFile(path, (await stat(path)).size);
    }
  };
  const convertedDays = new Set<string>();
  const parquetRoot = join(converted, PREFIX.parquet.replace(/\/$/, ''));
  await walk(parquetRoot, (path, size) => {
    parquet += size;
    convertedDays.add(path.slice(parquetRoot.length).split('/').slice(0, 3).join('/'));
  });
  await walk(join(raw, 'raw'), (path, size) => {
    const day = path.slice(join(raw, 'raw').length).split('/').slice(0, 3).join('/');
    if (convertedDays.has(day)) rawGzip += size;
  });
  return { parquet, rawGzip };
}

interface DaySizes {
  parquet: number;
  /** The same rows as the layout before event_pos wrote them: every id stored. */
  idsStored: number;
  rawGzip: number;
  /** Compressed bytes of the event_id and event_pos column chunks. */
  idBytes: number;
}

/** One tenant-day: its Parquet, the same rows rewritten with ids stored (same run), its raw gzip. */
async function daySizes(
  lakes: { converted: string; raw: string },
  tenant: string,
  dt: string,
): Promise<DaySizes> {
  const parquet = await filesOf(lakes.converted, 'parquet', tenant, oneDay(dt));
  const raw = await filesOf(lakes.raw, 'raw', tenant, oneDay(dt));
  const dir = await mkdtemp(join(tmpdir(), 'oplake-bench-ids-'));
  const duck = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await duck.connect();
  try {
    const files = `[${parquet.files.map(sqlString).join(', ')}]`;
    const out = join(dir, 'ids-stored.parquet');
    await connection.run(
      `COPY (SELECT * EXCLUDE (event_pos) REPLACE (${parquetEventId('duckdb')} AS event_id) FROM read_parquet(${files}) ` +
        `ORDER BY ts, event_id, device_id) TO ${sqlString(out)} (${PARQUET_COPY_OPTIONS})`,
    );
    const ids = await connection.runAndReadAll(
      `SELECT coalesce(sum(total_compressed_size), 0)::BIGINT AS b FROM parquet_metadata(${files}) WHERE path_in_schema IN ('event_id', 'event_pos')`,
    );
    return {
      parquet: parquet.bytes,
      idsStored: (await stat(out)).size,
      rawGzip: raw.bytes,
      idBytes: Number(ids.getRowObjectsJS()[0]?.b ?? 0),
    };
  } finally {
    connection.closeSync();
    duck.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

function toCases(r: Row): CaseResult[] {
  const measured = queryMeasurement(r.ms.intraday, r.bytes.intraday);
  const candidate = { ...measured, extra: { ...measured.extra, athenaBytes: r.athenaBytes } };
  return [
    {
      bench: 'search',
      case: r.shape.name,
      unit: 'queries',
      candidate,
      baseline: queryMeasurement(r.ms.raw, r.bytes.raw),
      baselineName: 'same lake never converted (raw JSON)',
      ratio: r.ms.raw / r.ms.intraday,
    },
    {
      bench: 'search',
      case: `${r.shape.name} (vs ideal)`,
      unit: 'queries',
      candidate,
      baseline: queryMeasurement(r.ms.ideal),
      baselineName: 'ideal: DuckDB on the same Parquet, filter pushed, no dedup',
      ratio: r.ms.ideal / r.ms.intraday,
    },
    {
      bench: 'search',
      case: `${r.shape.name} (nightly runs only)`,
      unit: 'queries',
      candidate: queryMeasurement(r.ms.converted, r.bytes.converted),
      baseline: queryMeasurement(r.ms.intraday, r.bytes.intraday),
      baselineName: 'with intraday runs (the local default)',
      ratio: r.ms.intraday / r.ms.converted,
    },
  ];
}

function report(rows: Row[], sizes: { parquet: number; rawGzip: number }, day: DaySizes): string {
  const ms = formatMs;
  const mb = formatMb;
  const kb = formatSize;
  const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;
  const lines = [
    '| question | converted (intraday runs) | nightly runs only | raw (never converted) | ideal | converted vs raw | vs ideal | nightly only vs its ideal | bytes read: converted / nightly only / raw |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.shape.name} | ${ms(r.ms.intraday)} | ${ms(r.ms.converted)} | ${ms(r.ms.raw)} | ${ms(r.ms.ideal)} | ` +
        `${(r.ms.raw / r.ms.intraday).toFixed(1)}x faster | ${(r.ms.intraday / r.ms.ideal).toFixed(1)}x slower | ` +
        `${Number.isNaN(r.ms.idealNightly) ? 'no Parquet in range' : `${(r.ms.converted / r.ms.idealNightly).toFixed(1)}x slower (ideal ${ms(r.ms.idealNightly)})`} | ` +
        `${kb(r.bytes.intraday)} / ${kb(r.bytes.converted)} / ${kb(r.bytes.raw)} (${pct(r.bytes.intraday, r.bytes.raw)} / ${pct(r.bytes.converted, r.bytes.raw)}) |`,
    ),
  ];
  const ratio = (group: Shape['group'], of: (r: Row) => number) =>
    geomean(rows.filter((r) => r.shape.group === group).map(of));
  const vsIdeal = geomean(rows.map((r) => r.ms.intraday / r.ms.ideal));
  const nightlyVsIdeal = geomean(
    rows.filter((r) => !Number.isNaN(r.ms.idealNightly)).map((r) => r.ms.converted / r.ms.idealNightly),
  );
  const searches = rows.filter((r) => r.shape.kind === 'search' && r.shape.group !== '1 day');
  const aggregates = rows.filter((r) => r.shape.kind === 'aggregate');
  const share = (set: Row[]) => set.map((r) => r.bytes.intraday / r.bytes.raw);
  const range = (values: number[]) =>
    `${(100 * Math.min(...values)).toFixed(0)}-${(100 * Math.max(...values)).toFixed(0)}%`;
  lines.push(
    '',
    `Converted: the lake as intraday runs leave it (raw/ holds what arrived since the last run at ${INTRADAY_CUT.slice(11, 16)} UTC, ` +
      'plus late resends of older days). Nightly runs only: today and yesterday still raw.',
    '',
    `Geometric mean, converted vs raw: 30-day shapes ${ratio('30 days', (r) => r.ms.raw / r.ms.intraday).toFixed(1)}x (target >= 5x), ` +
      `1-year shapes ${ratio('1 year', (r) => r.ms.raw / r.ms.intraday).toFixed(1)}x (target >= 10x); converted vs ideal ${vsIdeal.toFixed(1)}x ` +
      `slower (target <= 2x). Bytes read vs raw: 30-day searches ${range(share(searches))}, aggregates ${range(share(aggregates))} (target <= 25%). ` +
      `Parquet ${mb(sizes.parquet)} vs raw gzip ${mb(sizes.rawGzip)} of the same ` +
      `tenant-days: ${(sizes.parquet / sizes.rawGzip).toFixed(2)}x (target <= 0.5x). Medians of ${ROUNDS} rounds.`,
    '',
    `Nightly runs only (same run): 30-day shapes ${ratio('30 days', (r) => r.ms.raw / r.ms.converted).toFixed(1)}x of raw, ` +
      `1-year ${ratio('1 year', (r) => r.ms.raw / r.ms.converted).toFixed(1)}x, ${nightlyVsIdeal.toFixed(1)}x slower than the ideal on its own Parquet (questions with Parquet in range).`,
    '',
    `One 50-PC day (large-01, ${QUIET_DAY}): Parquet ${mb(day.parquet)} (ids and positions ${mb(day.idBytes)}), ` +
      `the same rows with every id stored (the layout before event_pos, rewritten in this run) ${mb(day.idsStored)}, ` +
      `raw gzip ${mb(day.rawGzip)}: ${(day.parquet / day.rawGzip).toFixed(2)}x vs ${(day.idsStored / day.rawGzip).toFixed(2)}x of the raw gzip.`,
  );
  return lines.join('\n');
}
