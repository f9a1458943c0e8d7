/**
 * The soak's reconciliation: what the lake holds after the final flush and conversion, compared
 * with what the agents got a 202 for. Read with DuckDB straight from the converted Parquet files
 * (each (tenant, device, eventId) must be there exactly once) and through the API (an aggregate by
 * device per tenant must count every acknowledged event).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import type { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { sqlString } from '../../shared/conversion/sql.js';
import { PREFIX } from '../../shared/domain/layout.js';
import { parquetEventId } from '../../shared/query/sql.js';
import { listAll } from '../fixtures/lake-reader.js';

export interface LakeCount {
  /** `tenant/device/eventId` -> copies in Parquet. */
  copies: Map<string, number>;
  parquetFiles: number;
  rawObjectsLeft: number;
}

export async function countLake(store: FileObjectStore): Promise<LakeCount> {
  const files = (await listAll(store, PREFIX.parquet)).filter((k) => k.endsWith('.parquet'));
  const rawObjectsLeft = (await listAll(store, PREFIX.raw)).length;
  const copies = new Map<string, number>();
  if (files.length > 0) {
    const db = await DuckDBInstance.create(':memory:', { threads: '2' });
    const connection = await db.connect();
    try {
      const list = files.map((k) => sqlString(store.pathOf(k))).join(', ');
      const reader = await connection.runAndReadAll(
        // Ids derived from the position are stored NULL: derived again, as search does.
        `SELECT regexp_extract(filename, 'tenant_id=([^/]+)', 1) AS tenant, device_id, ${parquetEventId('duckdb')} AS event_id, count(*)::INTEGER AS n
         FROM (FROM (VALUES (CAST(NULL AS INTEGER))) AS "none"("event_pos") WHERE false
           UNION ALL BY NAME FROM read_parquet([${list}], filename = true, union_by_name = true)) GROUP BY ALL`,
      );
      for (const row of reader.getRowObjectsJson()) {
        copies.set(`${row.tenant}/${row.device_id}/${row.event_id}`, Number(row.n));
      }
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  }
  return { copies, parquetFiles: files.length, rawObjectsLeft };
}

export interface Reconciliation {
  acknowledged: number;
  lost: number;
  doubled: number;
  unacknowledgedFound: number;
  examples: string[];
}

export function reconcile(acked: ReadonlySet<string>, lake: LakeCount): Reconciliation {
  let lost = 0;
  let doubled = 0;
  const examples: string[] = [];
  for (const key of acked) {
    const n = lake.copies.get(key) ?? 0;
    if (n === 0) {
      lost++;
      if (examples.length < 10) examples.push(`lost ${key}`);
    } else if (n > 1) {
      doubled++;
      if (examples.length < 10) examples.push(`${n} copies of ${key}`);
    }
  }
  let unacknowledgedFound = 0;
  for (const key of lake.copies.keys()) if (!acked.has(key)) unacknowledgedFound++;
  return { acknowledged: acked.size, lost, doubled, unacknowledgedFound, examples };
}
