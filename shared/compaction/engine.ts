/**
 * The port a compaction engine implements (Athena CTAS on AWS, DuckDB locally): write one
 * tenant-month's rows (its current month files plus the day folders being absorbed) as one
 * deduplicated, ts-sorted Parquet output under a fresh staging prefix.
 */
import type { StagedOutput } from '../conversion/engine.js';

export type { StagedOutput };

export interface MonthSnapshot {
  tenantId: string;
  /** `YYYY-MM`. */
  month: string;
  /** Unique per attempt: names the staging prefix and the promoted files. */
  runId: string;
  /** The days whose folders this compaction absorbs (and deletes once the month file is published). */
  days: readonly string[];
  /** Their Parquet files (`parquet-v2/tenant_id=T/dt=D/*.parquet`) at the start. */
  dayKeys: readonly string[];
  /** The month's current files (`parquet-v2-month/tenant_id=T/month=M/*.parquet`) at the start. */
  monthKeys: readonly string[];
  /** `staging/RUN/tenant_id=T/month=M/`: empty, owned by this attempt. */
  stagingPrefix: string;
}

export interface CompactionEngine {
  readonly name: string;
  materializeMonth(snapshot: MonthSnapshot): Promise<StagedOutput>;
}
