/**
 * What the local search engine knows of a lake's Parquet files before it reads them, from each
 * file's footer (DuckDB `parquet_metadata`), cached by path, size and modification time:
 *   - the layout: `ts` stored as a timestamp (current) or as text (the previous layout, read
 *     like raw/ until the conversion rewrites the day: docs/nightly.md "Layout");
 *   - whether it has the `event_pos` column;
 *   - the tenant and days its rows can hold (`provenScope`).
 * The footers are read on a connection of their own, not profiled: these reads are not counted
 * in any question's `stats.scannedBytes` (duckdb-bytes-read.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';

export interface LakeFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface FileFacts {
  /** `ts` held as text (the previous layout). */
  legacy: boolean;
  /** Has the `event_pos` column (derived ids stored as NULL); files written before it have not. */
  positions?: boolean;
  /**
   * The one tenant and the days of every row, from the `tenant_id` and `dt` statistics of every
   * row group; null when a row group has none.
   */
  scope?: { tenant: string; firstDay: string; lastDay: string } | null;
}

export class ParquetFactsCache {
  private readonly cache = new Map<string, { stamp: string; facts: FileFacts }>();

  async of(connection: DuckDBConnection, files: readonly LakeFile[]): Promise<Map<string, FileFacts>> {
    const out = new Map<string, FileFacts>();
    const missing: LakeFile[] = [];
    for (const file of files) {
      const hit = this.cache.get(file.path);
      if (hit && hit.stamp === `${file.size}/${file.mtimeMs}`) out.set(file.path, hit.facts);
      else missing.push(file);
    }
    if (missing.length === 0) return out;
    const reader = await connection.runAndReadAll(
      'SELECT file_name, path_in_schema, type, stats_min_value, stats_max_value FROM parquet_metadata(?::VARCHAR[])',
      [listValue(missing.map((f) => f.path))],
    );
    const fresh = new Map<string, FileFacts>();
    const rows = reader.getRowObjectsJS();
    // The layout first: a file is legacy when its ts column is text.
    for (const row of rows) {
      if (row.path_in_schema !== 'ts') continue;
      const path = String(row.file_name);
      fresh.set(path, { legacy: row.type === 'BYTE_ARRAY' });
    }
    for (const row of rows) {
      const facts = fresh.get(String(row.file_name));
      if (facts && row.path_in_schema === 'event_pos') facts.positions = true;
    }
    const rowsOf = Map.groupBy(rows, (row) => String(row.file_name));
    for (const [path, facts] of fresh) facts.scope = scopeOf(rowsOf.get(path) ?? []);
    for (const file of missing) {
      const facts = fresh.get(file.path) ?? { legacy: true };
      this.cache.set(file.path, { stamp: `${file.size}/${file.mtimeMs}`, facts });
      out.set(file.path, facts);
    }
    return out;
  }
}

/** The tenant and days a file's rows can hold, from its row groups' statistics (null: unknown). */
function scopeOf(rows: readonly Record<string, unknown>[]): FileFacts['scope'] {
  const stats = (column: string) => {
    const of = rows.filter((row) => row.path_in_schema === column);
    if (of.some((row) => typeof row.stats_min_value !== 'string' || typeof row.stats_max_value !== 'string'))
      return null;
    const values = of.flatMap((row) => [String(row.stats_min_value), String(row.stats_max_value)]).sort();
    return values.length === 0 ? null : { min: values[0] ?? '', max: values[values.length - 1] ?? '' };
  };
  const tenant = stats('tenant_id');
  const dt = stats('dt');
  if (!tenant || !dt || tenant.min !== tenant.max) return null;
  return { tenant: tenant.min, firstDay: dt.min, lastDay: dt.max };
}

/**
 * True when the statistics prove that every row of these files is the tenant's and of a day in
 * [first, last]: the query then leaves out its per-row tenant and day predicates (a year of
 * small files spent a third of its time on them), and keeps the time range.
 */
export function provenScope(
  facts: readonly (FileFacts | undefined)[],
  tenantId: string,
  days: { first: string; last: string },
): boolean {
  return facts.every((f) => {
    const scope = f?.scope;
    return (
      scope !== null &&
      scope !== undefined &&
      scope.tenant === tenantId &&
      scope.firstDay >= days.first &&
      scope.lastDay <= days.last
    );
  });
}
