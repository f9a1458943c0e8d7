/**
 * One DuckDB COPY into a fresh staging directory, as the local conversion and compaction run it:
 * the statement (its row count), the staged files, and the check that they hold that many rows.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { StagedOutput } from '../../conversion/engine.js';
import { ConversionEngineError, ConversionVerificationError } from '../../conversion/errors.js';
import { sqlString } from '../../conversion/sql.js';
import type { FileObjectStore } from './file-object-store.js';

export async function runStagedCopy(
  connection: DuckDBConnection,
  store: FileObjectStore,
  copy: { sql: string; stagingPrefix: string; label: string },
): Promise<StagedOutput> {
  let rows: number;
  try {
    const reader = await connection.runAndReadAll(copy.sql);
    rows = Number(reader.getRows()[0]?.[0] ?? 0);
  } catch (error) {
    throw new ConversionEngineError(`duckdb ${copy.label} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const keys: string[] = [];
  for await (const info of store.list(copy.stagingPrefix)) {
    if (info.key.endsWith('.parquet')) keys.push(info.key);
  }
  if (keys.length > 0) {
    const check = await connection.runAndReadAll(
      `SELECT count(*) FROM read_parquet([${keys.map((k) => sqlString(store.pathOf(k))).join(', ')}])`,
    );
    const written = Number(check.getRows()[0]?.[0] ?? -1);
    if (written !== rows) {
      throw new ConversionVerificationError(
        `duckdb reported ${rows} rows but the staged files hold ${written}`,
      );
    }
  }
  return { rows, keys };
}
