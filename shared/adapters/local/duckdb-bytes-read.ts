/**
 * The bytes a local question read, from DuckDB's profiler (`TOTAL_BYTES_READ`, DuckDB 1.5): what
 * its file system handed the readers, footers and column chunks alike. Profiling settings are
 * per connection and every statement of the engine runs on its own connection, so concurrent
 * questions each get their own figure: the statement's connection writes its profile to its own
 * JSON file (the Node client does not expose `duckdb_get_profiling_info`), read and deleted when
 * the statement ends.
 *
 * DuckDB's profiler counts only a few bytes (10 to 20) of a gzip object it reads (its gzip layer
 * reads the file outside the counted path); a raw `.gz` object is read whole, so the engine adds
 * its size (`ReadBudget`'s starting figure). The instance must run with
 * `enable_external_file_cache = false`: with DuckDB's in-memory file cache on, a repeated
 * question reports 0 bytes read.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../conversion/sql.js';
import { ScanLimitExceededError } from '../../errors.js';

/** The DuckDB instance options the profiler's figure needs (see above). */
export const PROFILED_INSTANCE_OPTIONS = { enable_external_file_cache: 'false' } as const;

/**
 * Runs `work` on `connection` with profiling on; its result and the bytes the statement read. The
 * profile file (in the OS temporary folder, a fresh name a statement) is deleted when it ends.
 */
export async function measureBytesRead<T>(
  connection: DuckDBConnection,
  work: () => Promise<T>,
): Promise<{ value: T; bytesRead: number }> {
  const file = join(tmpdir(), `oplake-duckdb-profile-${randomUUID()}.json`);
  try {
    await connection.run(
      `SET enable_profiling = 'json'; SET profiling_output = ${sqlString(file)}; ` +
        `SET custom_profiling_settings = '{"TOTAL_BYTES_READ": "true"}'`,
    );
    const value = await work();
    return { value, bytesRead: totalBytesRead(await readFile(file, 'utf8')) };
  } finally {
    await rm(file, { force: true });
  }
}

function totalBytesRead(profile: string): number {
  const parsed: unknown = JSON.parse(profile);
  const bytes =
    typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'total_bytes_read') : undefined;
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0)
    throw new Error(`DuckDB's profile has no total_bytes_read: ${profile.slice(0, 200)}`);
  return bytes;
}

/**
 * The bytes one question has read so far, judged against the per-query scan cutoff after each
 * statement: over it, the question is refused (422 `scan_limit_exceeded`), as Athena cancels a
 * query that scans past its workgroup's cutoff. `start`: bytes certain to be read before any
 * statement runs (the raw gzip objects), judged at once.
 */
export class ReadBudget {
  constructor(
    private readonly cutoffBytes: number,
    private bytes: number,
  ) {
    this.check();
  }

  get scannedBytes(): number {
    return this.bytes;
  }

  add(bytes: number): void {
    this.bytes += bytes;
    this.check();
  }

  private check(): void {
    if (this.bytes <= this.cutoffBytes) return;
    throw new ScanLimitExceededError(
      `this query reads ${this.bytes} bytes or more, over the per-query cutoff of ${this.cutoffBytes}; ` +
        'narrow the time range or add filters (types, deviceId)',
      { details: [{ scannedBytes: this.bytes, cutoffBytes: this.cutoffBytes }] },
    );
  }
}
