/**
 * Compaction engine on AWS: one Athena CTAS per tenant-month (shared/compaction/sql.ts) into a
 * fresh staging prefix, then DROP TABLE of the temporary table (data stays), rows from
 * GetQueryRuntimeStatistics: the conversion's pattern (athena-conversion-engine.ts). The month
 * side is `events_month` pinned by tenant and month, the days by `events_v2` partitions.
 */
import type { CompactionEngine, MonthSnapshot, StagedOutput } from '../../compaction/engine.js';
import { athenaMonthCtas } from '../../compaction/sql.js';
import type { ObjectStore } from '../../ports/object-store.js';
import { runCtas } from './athena-ctas.js';
import type { AthenaRunner } from './athena-runner.js';

export interface AthenaCompactionConfig {
  bucket: string;
  database: string;
  eventsTable: string;
  monthTable: string;
  /** The conversion's workgroup (the night's share of the DML quota). */
  workgroup: string;
  outputLocation?: string;
}

export function monthTempTableName(snapshot: MonthSnapshot): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  return `tmp_comp_${clean(snapshot.runId)}_${clean(snapshot.tenantId)}_${clean(snapshot.month)}`.slice(
    0,
    128,
  );
}

export class AthenaCompactionEngine implements CompactionEngine {
  readonly name = 'athena';

  constructor(
    private readonly runner: AthenaRunner,
    private readonly store: ObjectStore,
    private readonly config: AthenaCompactionConfig,
  ) {}

  async materializeMonth(snapshot: MonthSnapshot): Promise<StagedOutput> {
    const table = monthTempTableName(snapshot);
    const { sql, params } = athenaMonthCtas({
      database: this.config.database,
      eventsTable: this.config.eventsTable,
      monthTable: this.config.monthTable,
      tempTable: table,
      stagingLocation: `s3://${this.config.bucket}/${snapshot.stagingPrefix}`,
      tenantId: snapshot.tenantId,
      month: snapshot.month,
      days: snapshot.days,
    });
    return runCtas(this.runner, this.store, this.config, {
      sql,
      params,
      table,
      stagingPrefix: snapshot.stagingPrefix,
      label: `${snapshot.tenantId}/${snapshot.month}`,
    });
  }
}
