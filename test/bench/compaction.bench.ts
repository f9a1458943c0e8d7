/**
 * compaction (issue 8, docs/nightly.md "Compaction"): the search bench's year tenant (2 PCs, 363
 * converted days of one file each, 2 raw days) with its closed months compacted into one file
 * each, applied to a COPY of the cached converted lake. Each question is asked in the same run,
 * interleaved, of:
 *   compacted  the product over the compacted copy (12 month files + the open month's day files);
 *   converted  the product over the cached converted lake (one file a day): today's baseline;
 *   raw        the product over the same events never converted;
 *   ideal      DuckDB straight on the files the compacted lake has for the range (month files and
 *              day files), filter pushed, no dedup, no raw days.
 * Compacted, converted and raw answers must be identical, else the bench fails. Also reports the
 * compaction itself (time, files and bytes before/after). Writes test/bench/results/compaction-latest.md.
 */
import { cp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { aggregateLocal, closeLocalEngines, searchLocal } from '../../functions/search/local.js';
import { DuckDbCompactionEngine } from '../../shared/adapters/local/duckdb-compaction-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { compactTenant } from '../../shared/compaction/run.js';
import { sqlString } from '../../shared/conversion/sql.js';
import { monthPartitionPrefix, partitionPrefix } from '../../shared/domain/layout.js';
import { type CaseResult, formatMb, formatMs, geomean, median, queryMeasurement } from './harness.js';
import { benchLakes, dayBefore, LAST_DAY } from './search-dataset.js';

const ROUNDS = Number(process.env.OPLAKE_BENCH_ROUNDS ?? 3);
const TENANT = 'year-01';
const next = dayBefore(LAST_DAY, -1);
const year = { from: `${dayBefore(LAST_DAY, 364)}T00:00:00Z`, to: `${next}T00:00:00Z` };
const MID_DAY = '2026-06-17';

interface Shape {
  name: string;
  kind: 'search' | 'aggregate';
  body: Record<string, unknown>;
  /** The ideal query over the range's files. */
  ideal: (source: string, where: string) => string;
}

const byKey = (key: string, order: string) => (source: string, where: string) =>
  `SELECT ${key} AS k, count(*) AS n, coalesce(sum(duration_ms), 0) AS d FROM ${source} WHERE ${where} GROUP BY k ORDER BY ${order}`;

const SHAPES: Shape[] = [
  {
    name: 'aggregate 1 year by app (duration)',
    kind: 'aggregate',
    body: { ...year, groupBy: 'app', metric: 'durationMs' },
    ideal: byKey('app', 'd DESC, k NULLS LAST LIMIT 20'),
  },
  {
    name: 'aggregate 1 year by day',
    kind: 'aggregate',
    body: { ...year, groupBy: 'day' },
    ideal: byKey(`strftime(ts, '%Y-%m-%d')`, 'k'),
  },
  {
    name: '1 year, text, newest 100',
    kind: 'search',
    body: { ...year, filters: { text: 'roadmap' }, limit: 100 },
    ideal: (source, where) =>
      `SELECT * FROM ${source} WHERE ${where} AND (lower(title) LIKE '%roadmap%' OR lower(url) LIKE '%roadmap%' ` +
      `OR lower(path) LIKE '%roadmap%' OR lower(app) LIKE '%roadmap%') ORDER BY ts DESC, event_id DESC, device_id DESC LIMIT 100`,
  },
  {
    name: 'newest 100 of a day inside a compacted month',
    kind: 'search',
    body: { from: `${MID_DAY}T00:00:00Z`, to: `${dayBefore(MID_DAY, -1)}T00:00:00Z`, limit: 100 },
    ideal: (source, where) =>
      `SELECT * FROM ${source} WHERE ${where} ORDER BY ts DESC, event_id DESC, device_id DESC LIMIT 100`,
  },
];

const here = dirname(fileURLToPath(import.meta.url));

async function parquetIn(dir: string): Promise<{ files: string[]; bytes: number }> {
  const files: string[] = [];
  let bytes = 0;
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.parquet')) {
        files.push(path);
        bytes += (await stat(path)).size;
      }
    }
  };
  await walk(dir);
  return { files: files.sort(), bytes };
}

/** The compacted lake's Parquet files for a range: the months' files and the days' files. */
async function rangeFiles(lake: string, range: { from: string; to: string }): Promise<string[]> {
  const out: string[] = [];
  for (let d = range.from.slice(0, 10); d < range.to.slice(0, 10); d = dayBefore(d, -1)) {
    out.push(...(await parquetIn(join(lake, partitionPrefix('parquet', TENANT, d)))).files);
    if (d.endsWith('-01') || d === range.from.slice(0, 10)) {
      out.push(...(await parquetIn(join(lake, monthPartitionPrefix(TENANT, d.slice(0, 7))))).files);
    }
  }
  return out;
}

interface Row {
  shape: Shape;
  ms: { compacted: number; converted: number; raw: number; ideal: number };
  bytes: { compacted: number; converted: number; raw: number };
}

export async function run(progress: (message: string) => void): Promise<CaseResult[]> {
  const lakes = await benchLakes(progress);
  // A copy of the year tenant's converted lake (the cache itself is never written).
  const compacted = join(here, 'results', '.compacted-lake');
  await rm(compacted, { recursive: true, force: true });
  for (const area of ['parquet', 'raw'] as const) {
    await cp(
      join(lakes.converted, partitionPrefix(area, TENANT)),
      join(compacted, partitionPrefix(area, TENANT)),
      {
        recursive: true,
      },
    );
  }
  const before = await parquetIn(join(compacted, partitionPrefix('parquet', TENANT)));
  const store = new FileObjectStore(compacted);
  const engine = new DuckDbCompactionEngine(store, { threads: 2 });
  progress(`compaction: ${TENANT}, ${before.files.length} day files`);
  // Nights until nothing is left (each night compacts at most maxMonths months, oldest first).
  const t0 = performance.now();
  const months: unknown[] = [];
  let nights = 0;
  try {
    for (let night = new Date(`${next}T01:00:00Z`); ; night = new Date(night.getTime() + 86_400_000)) {
      const done = await compactTenant({ store, engine, clock: { now: () => night } }, TENANT);
      if (done.length === 0) break;
      months.push(...done);
      nights++;
    }
  } finally {
    await engine.close();
  }
  const compactionMs = performance.now() - t0;
  const after = {
    days: await parquetIn(join(compacted, partitionPrefix('parquet', TENANT))),
    months: await parquetIn(join(compacted, monthPartitionPrefix(TENANT))),
  };
  progress(`compaction: ${months.length} months in ${nights} nights, ${Math.round(compactionMs)} ms`);

  const duck = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await duck.connect();
  const rows: Row[] = [];
  try {
    for (const shape of SHAPES) {
      const range = shape.body as { from: string; to: string };
      const files = await rangeFiles(compacted, range);
      const where = `ts >= TIMESTAMP '${range.from.slice(0, 19)}' AND ts < TIMESTAMP '${range.to.slice(0, 19)}'`;
      const ideal = shape.ideal(
        `read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = false)`,
        where,
      );
      const ask = async (lake: string) => {
        const result =
          shape.kind === 'search'
            ? await searchLocal(lake, TENANT, shape.body)
            : await aggregateLocal(lake, TENANT, shape.body);
        const answer = 'events' in result ? result.events : result.rows;
        return { answer: JSON.stringify(answer), bytes: result.stats.scannedBytes };
      };
      const times = {
        compacted: [] as number[],
        converted: [] as number[],
        raw: [] as number[],
        ideal: [] as number[],
      };
      const bytes = { compacted: 0, converted: 0, raw: 0 };
      for (let round = 0; round <= ROUNDS; round++) {
        progress(`compaction/${shape.name}: ${round === 0 ? 'warm-up' : `round ${round}/${ROUNDS}`}`);
        const timed = async <T>(work: () => Promise<T>) => {
          const t = performance.now();
          const value = await work();
          return { value, ms: performance.now() - t };
        };
        const c = await timed(() => ask(compacted));
        const v = await timed(() => ask(lakes.converted));
        const r = await timed(() => ask(lakes.raw));
        const i = await timed(() => connection.runAndReadAll(ideal));
        if (c.value.answer !== v.value.answer || v.value.answer !== r.value.answer) {
          throw new Error(`compaction bench: ${shape.name} answers differently after compaction`);
        }
        if (round === 0) continue;
        times.compacted.push(c.ms);
        times.converted.push(v.ms);
        times.raw.push(r.ms);
        times.ideal.push(i.ms);
        Object.assign(bytes, { compacted: c.value.bytes, converted: v.value.bytes, raw: r.value.bytes });
      }
      rows.push({
        shape,
        ms: {
          compacted: median(times.compacted),
          converted: median(times.converted),
          raw: median(times.raw),
          ideal: median(times.ideal),
        },
        bytes,
      });
    }
  } finally {
    connection.closeSync();
    duck.closeSync();
    await closeLocalEngines();
  }
  const markdown = report(rows, { compactionMs, months: months.length, nights, before, after });
  progress(`compaction:\n${markdown}`);
  await writeFile(join(here, 'results', 'compaction-latest.md'), `${markdown}\n`);
  await rm(compacted, { recursive: true, force: true });
  return rows.flatMap(toCases);
}

function toCases(r: Row): CaseResult[] {
  const candidate = queryMeasurement(r.ms.compacted, r.bytes.compacted);
  const against = (name: string, baselineName: string, ms: number, bytes?: number): CaseResult => ({
    bench: 'compaction',
    case: `${r.shape.name} (${name})`,
    unit: 'queries',
    candidate,
    baseline: queryMeasurement(ms, bytes),
    baselineName,
    ratio: ms / r.ms.compacted,
  });
  return [
    against('vs one file a day', 'converted lake, one file a day (today)', r.ms.converted, r.bytes.converted),
    against('vs raw', 'same lake never converted (raw JSON)', r.ms.raw, r.bytes.raw),
    against('vs ideal', 'ideal: DuckDB on the compacted files, filter pushed, no dedup', r.ms.ideal),
  ];
}

function report(
  rows: Row[],
  c: {
    compactionMs: number;
    months: number;
    nights: number;
    before: { files: string[]; bytes: number };
    after: { days: { files: string[]; bytes: number }; months: { files: string[]; bytes: number } };
  },
): string {
  const ms = formatMs;
  const mb = formatMb;
  const lines = [
    '| question (year tenant) | compacted | one file a day | raw (never converted) | ideal (compacted files) | compacted vs raw | vs one file a day | vs ideal | bytes read: compacted / one a day / raw |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.shape.name} | ${ms(r.ms.compacted)} | ${ms(r.ms.converted)} | ${ms(r.ms.raw)} | ${ms(r.ms.ideal)} | ` +
        `${(r.ms.raw / r.ms.compacted).toFixed(1)}x faster | ${(r.ms.converted / r.ms.compacted).toFixed(1)}x faster | ` +
        `${(r.ms.compacted / r.ms.ideal).toFixed(1)}x slower | ` +
        `${mb(r.bytes.compacted)} / ${mb(r.bytes.converted)} / ${mb(r.bytes.raw)} |`,
    ),
  ];
  const yearRows = rows.filter((r) => r.shape.name.startsWith('aggregate 1 year'));
  lines.push(
    '',
    `Year shapes (the search bench's two), geometric mean: compacted vs raw ` +
      `${geomean(yearRows.map((r) => r.ms.raw / r.ms.compacted)).toFixed(1)}x (target >= 10x); one file a day vs raw ` +
      `${geomean(yearRows.map((r) => r.ms.raw / r.ms.converted)).toFixed(1)}x (same run); compacted vs ideal ` +
      `${geomean(yearRows.map((r) => r.ms.compacted / r.ms.ideal)).toFixed(1)}x slower (target <= 2x). ` +
      `Compaction of ${c.months} months (${c.nights} nights at 3 a night): ${ms(c.compactionMs)}; ${c.before.files.length} day files ` +
      `(${mb(c.before.bytes)}) became ${c.after.months.files.length} month files (${mb(c.after.months.bytes)}) + ` +
      `${c.after.days.files.length} day files of the open month (${mb(c.after.days.bytes)}). Medians of ${ROUNDS} rounds.`,
  );
  return lines.join('\n');
}
