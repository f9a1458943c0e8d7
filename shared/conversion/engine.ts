/**
 * The port a conversion engine implements (Athena CTAS on AWS, DuckDB locally): write one
 * tenant-day's merged, deduplicated, ts-sorted Parquet under a fresh staging prefix.
 */
export interface PartitionSnapshot {
  tenantId: string;
  dt: string;
  /** Unique per attempt: names the staging prefix and the promoted files. */
  runId: string;
  /** Raw objects listed at the start (all of `raw/tenant_id=T/dt=D/` then). */
  rawKeys: readonly string[];
  /** The partition's Parquet files at the start. */
  parquetKeys: readonly string[];
  /**
   * The files of the day's month (`parquet-v2-month/T/month=M/`, a compacted month) at the start:
   * the day's rows in them are merged too (a late arrival re-opened the day), and they are never
   * deleted here (the next compaction absorbs the day again).
   */
  monthKeys?: readonly string[];
  /** Latest `lastModified` among rawKeys (ISO): raw objects newer than this are left for the next run. */
  snapshotTime: string;
  /** `staging/RUN/tenant_id=T/dt=D/`: empty, owned by this attempt. */
  stagingPrefix: string;
}

export interface StagedOutput {
  /** Rows written, as the engine reports them (DuckDB COPY count, Athena output rows). */
  rows: number;
  /** Keys of the staged Parquet files, under stagingPrefix. */
  keys: string[];
}

export interface ConversionEngine {
  readonly name: string;
  materialize(snapshot: PartitionSnapshot): Promise<StagedOutput>;
}
