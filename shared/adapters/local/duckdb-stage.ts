/**
 * One DuckDB COPY into a fresh staging directory, as the local conversion and compaction run it:
 * the statement (`stagedCopyOptions`: it answers its row count and the files it wrote), and the
 * check that those files hold that many rows.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { StagedOutput } from '../../conversion/engine.js';
import { ConversionEngineError, ConversionVerificationError } from '../../conversion/errors.js';
import { sqlString } from '../../conversion/sql.js';
import type { FileObjectStore } from './file-object-store.js';

export async function runStagedCopy(
  connection: DuckDBConnection,
  store: FileObjectStore,
  copy: { sql: string; label: string },
): Promise<StagedOutput> {
  let rows: number;
  let keys: string[];
  try {
    const reader = await connection.runAndReadAll(copy.sql);
    const [count, files] = reader.getRowsJson()[0] ?? [];
    rows = Number(count ?? 0);
    keys = (Array.isArray(files) ? files : [])
      .filter((file): file is string => typeof file === 'string' && file.endsWith('.parquet'))
      .map((file) => store.keyOf(file));
  } catch (error) {
    throw new ConversionEngineError(`duckdb ${copy.label} failed: ${(error as Error).message}`, {
      cause: error,
    });
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
