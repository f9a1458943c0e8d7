/**
 * Prototype for the small-tenant decision (docs/nightly.md): K small tenant-days converted by K
 * statements (one per tenant-day, as the conversion does) or by one statement that dedups per
 * (tenant_id, dt, device_id, event_id) and writes one Parquet file per partition (PARTITION_BY,
 * the local analogue of a CTAS with partitioned_by, which writes at most 100 partitions). Same
 * dedup rule and sort as the conversion; written here only to measure, not used by the product.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { sqlString } from '../../shared/conversion/sql.js';
import { STORED_COLUMNS } from '../../shared/domain/event.js';
import { PREFIX, parsePartition } from '../../shared/domain/layout.js';

export interface SmallTenantMeasurement {
  ms: number;
  statements: number;
  tenantDays: number;
  rows: number;
}

export async function smallTenantStatements(
  dir: string,
  k: number,
  one: boolean,
): Promise<SmallTenantMeasurement> {
  const store = new FileObjectStore(join(dir, 'lake'));
  const files = new Map<string, string[]>();
  for await (const info of store.list(PREFIX.raw)) {
    const p = parsePartition(info.key);
    if (!p) continue;
    const id = `${p.tenantId}/${p.dt}`;
    if (!files.has(id) && files.size >= k) continue;
    files.set(id, [...(files.get(id) ?? []), store.pathOf(info.key)]);
  }
  const out = join(dir, one ? 'small-one' : 'small-each');
  await mkdir(out, { recursive: true });
  const db = await DuckDBInstance.create(':memory:', { memory_limit: '1GB', threads: '2' });
  const c = await db.connect();
  const columns = STORED_COLUMNS.map(
    (col) => `${sqlString(col)}: ${sqlString(col === 'duration_ms' ? 'BIGINT' : 'VARCHAR')}`,
  ).join(', ');
  const cols = STORED_COLUMNS.map((col) => `"${col}"`).join(', ');
  const select = (paths: string[], partition: string) =>
    `SELECT ${cols} FROM (SELECT *, row_number() OVER (PARTITION BY ${partition} ORDER BY "received_at", "batch_id") AS rn
     FROM read_json([${paths.map(sqlString).join(', ')}], format = 'newline_delimited', compression = 'gzip', columns = {${columns}}))
     WHERE rn = 1`;
  let rows = 0;
  const start = performance.now();
  if (one) {
    const all = [...files.values()].flat();
    const reader = await c.runAndReadAll(
      `COPY (${select(all, '"tenant_id", "dt", "device_id", "event_id"')} ORDER BY "tenant_id", "dt", "ts", "event_id", "device_id")
       TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ("tenant_id", "dt"), OVERWRITE_OR_IGNORE)`,
    );
    rows = Number(reader.getRows()[0]?.[0] ?? 0);
  } else {
    let n = 0;
    for (const paths of files.values()) {
      const reader = await c.runAndReadAll(
        `COPY (${select(paths, '"device_id", "event_id"')} ORDER BY "ts", "event_id", "device_id")
         TO ${sqlString(join(out, `p${n++}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`,
      );
      rows += Number(reader.getRows()[0]?.[0] ?? 0);
    }
  }
  const ms = performance.now() - start;
  c.closeSync();
  db.closeSync();
  return { ms, statements: one ? 1 : files.size, tenantDays: files.size, rows };
}
