/**
 * The SQL sources of the local engine's files (shared/query/sql.ts `Sources`): raw/ as typed
 * JSON lines, Parquet by the plan's split. Every file list is one prepared parameter.
 */
import { DUCKDB_JSON_COLUMNS } from '../../conversion/sql.js';
import { withCleanFloor } from '../../query/clean-floor.js';
import type { Sources, SqlFragment } from '../../query/sql.js';
import { byTime, withMonthRows } from './month-files.js';

/** The files of a query, split by the plan (shared/query/sql.ts). */
export interface SelectedFiles {
  raw: string[];
  /** Parquet of days with raw objects or of a promotion under way (more than one run's files). */
  contested: string[];
  /**
   * Of those, days contested only by raw objects beside them (one run's files, no previous
   * layout, no month file): unique rows, split by the raw rows' keys (shared/query/sql.ts).
   */
  besideRaw: string[];
  /** Parquet in the previous layout (text `ts`): read like raw/. */
  legacy: string[];
  /** Parquet with unique rows (day files and clean month files). */
  clean: string[];
  /** Month files with contested days in range (month-files.ts): rows of `splitDays` contested, others clean. */
  split: string[];
  splitDays: string[];
  /**
   * Size of the raw gzip objects: read whole, and not counted by DuckDB's profiler
   * (duckdb-bytes-read.ts), so added to what it counts.
   */
  gzipBytes: number;
  /** Parquet files with the `event_pos` column (the others were written before it). */
  positioned: Set<string>;
  /** The clean / contested files' statistics prove they hold only the tenant's days in range. */
  scoped?: { clean: boolean; contested: boolean };
}

/**
 * The current layout's files, with `event_pos` (derived ids stored NULL) or written before it
 * (every id stored): read by name, the column NULL where a file lacks it (the SQL reads it).
 */
function parquet(files: SelectedFiles, list: string[], scoped = false): SqlFragment | null {
  if (list.length === 0) return null;
  if (list.some((path) => files.positioned.has(path))) {
    return {
      sql: 'read_parquet(?::VARCHAR[], hive_partitioning = false, union_by_name = true)',
      params: [list],
      scoped,
    };
  }
  return {
    sql: '(SELECT *, CAST(NULL AS INTEGER) AS event_pos FROM read_parquet(?::VARCHAR[], hive_partitioning = false))',
    params: [list],
    scoped,
  };
}

/** The split month files' rows of the contested days (`contested`) or of the others (`clean`). */
function withSplitMonths(
  files: SelectedFiles,
  whole: SqlFragment | null,
  part: 'contested' | 'clean',
): SqlFragment | null {
  return withMonthRows(whole, parquet(files, files.split), files.splitDays, part);
}

/**
 * The clean files in the query's time order (newest day first for desc; day and month files
 * interleaved), so the first files scanned fill the top-N and its dynamic filter skips the older
 * row groups by their statistics (10x on a 30-day filtered search, docs/search.md); then the
 * split month files' clean days.
 */
export function cleanSource(files: SelectedFiles, order: 'asc' | 'desc'): SqlFragment | null {
  const whole = parquet(files, timeOrdered(files.clean, order), files.scoped?.clean);
  return withSplitMonths(files, whole, 'clean');
}

function timeOrdered(list: readonly string[], order: 'asc' | 'desc'): string[] {
  const byDay = [...list].sort(byTime);
  return order === 'desc' ? byDay.reverse() : byDay;
}

/** Every source of a query; `floor`: the clean floor of a search page (query/clean-floor.ts). */
export function duckDbSources(
  files: SelectedFiles,
  order: 'asc' | 'desc' = 'asc',
  floor?: string | null,
): Sources {
  const clean = cleanSource(files, order);
  return {
    raw:
      files.raw.length === 0
        ? null
        : {
            sql:
              "read_json(?::VARCHAR[], format = 'newline_delimited', compression = 'auto_detect', " +
              `hive_partitioning = false, columns = ${DUCKDB_JSON_COLUMNS})`,
            params: [files.raw],
          },
    contested: withSplitMonths(files, parquet(files, files.contested, files.scoped?.contested), 'contested'),
    besideRaw: parquet(files, timeOrdered(files.besideRaw, order)),
    legacy:
      files.legacy.length === 0
        ? null
        : { sql: 'read_parquet(?::VARCHAR[], hive_partitioning = false)', params: [files.legacy] },
    clean: clean && floor ? withCleanFloor(clean, floor, order) : clean,
  };
}
