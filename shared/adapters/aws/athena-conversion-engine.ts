/**
 * Conversion engine on AWS: one Athena CTAS per tenant-day into a fresh staging prefix
 * (external_location, so a retry never meets HIVE_PATH_ALREADY_EXISTS), then DROP TABLE of the
 * temporary Glue table (data stays). Rows written come from GetQueryRuntimeStatistics.
 *
 * The raw side is `raw_events` pinned to the tenant-day by partition projection and limited to
 * objects with `"$file_modified_time"` at or before the snapshot: every object the snapshot
 * listed (and later archives) is read; an object that lands during the conversion is either not
 * read or read and left in raw/ for the next run, never archived unread.
 */

import type { ConversionEngine, PartitionSnapshot, StagedOutput } from '../../conversion/engine.js';
import { athenaCtas } from '../../conversion/sql.js';
import { PREFIX } from '../../domain/layout.js';
import type { ObjectStore } from '../../ports/object-store.js';
import { runCtas } from './athena-ctas.js';
import type { AthenaRunner } from './athena-runner.js';

export interface AthenaConversionConfig {
  bucket: string;
  database: string;
  rawTable: string;
  eventsTable: string;
  /** The previous layout's table (`parquet/`, text ts): read only for days that hold such files. */
  legacyTable: string;
  /** Compacted months' table (`parquet-v2-month/`): read for a re-opened day of a compacted month. */
  monthTable?: string;
  /** The conversion's own workgroup (not search's). */
  workgroup: string;
  outputLocation?: string;
}

export function tempTableName(snapshot: PartitionSnapshot): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  return `tmp_conv_${clean(snapshot.runId)}_${clean(snapshot.tenantId)}_${clean(snapshot.dt)}`.slice(0, 128);
}

export class AthenaConversionEngine implements ConversionEngine {
  readonly name = 'athena';

  constructor(
    private readonly runner: AthenaRunner,
    private readonly store: ObjectStore,
    private readonly config: AthenaConversionConfig,
  ) {}

  async materialize(snapshot: PartitionSnapshot): Promise<StagedOutput> {
    const table = tempTableName(snapshot);
    const { sql, params } = athenaCtas({
      database: this.config.database,
      rawTable: this.config.rawTable,
      eventsTable: this.config.eventsTable,
      ...(snapshot.parquetKeys.some((k) => k.startsWith(PREFIX.parquetV1))
        ? { legacyTable: this.config.legacyTable }
        : {}),
      ...((snapshot.monthKeys?.length ?? 0) > 0
        ? { monthTable: this.config.monthTable ?? 'events_month' }
        : {}),
      tempTable: table,
      stagingLocation: `s3://${this.config.bucket}/${snapshot.stagingPrefix}`,
      tenantId: snapshot.tenantId,
      dt: snapshot.dt,
      snapshotTime: snapshot.snapshotTime,
    });
    return runCtas(this.runner, this.store, this.config, {
      sql,
      params,
      table,
      stagingPrefix: snapshot.stagingPrefix,
      label: `${snapshot.tenantId}/${snapshot.dt}`,
    });
  }
}
