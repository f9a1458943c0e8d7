/**
 * Compaction engine on AWS: one Athena CTAS per tenant-month (shared/compaction/sql.ts) into a
 * fresh staging prefix, then DROP TABLE of the temporary table (data stays), rows from
 * GetQueryRuntimeStatistics: the conversion's pattern (athena-conversion-engine.ts). The month
 * side is `events_month` pinned by tenant and month, the days by `events_v2` partitions.
 */
import type { CompactionEngine, MonthSnapshot, StagedOutput } from '../../compaction/engine.js';
import { athenaMonthCtas } from '../../compaction/sql.js';
import { ConversionEngineError, ConversionVerificationError } from '../../conversion/errors.js';
import { athenaDropTable } from '../../conversion/sql.js';
import type { ObjectStore } from '../../ports/object-store.js';
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
    const common = {
      workgroup: this.config.workgroup,
      database: this.config.database,
      ...(this.config.outputLocation ? { outputLocation: this.config.outputLocation } : {}),
    };
    let queryExecutionId: string | undefined;
    let ctasError: unknown;
    try {
      ({ queryExecutionId } = await this.runner.runQuery({ sql, params, ...common }));
    } catch (error) {
      ctasError = error;
    }
    try {
      await this.runner.runQuery({ sql: athenaDropTable(this.config.database, table), ...common });
    } catch (dropError) {
      if (ctasError === undefined) {
        throw new ConversionEngineError(`could not drop ${table}: ${(dropError as Error).message}`, {
          cause: dropError,
        });
      }
    }
    if (ctasError !== undefined || queryExecutionId === undefined) {
      throw new ConversionEngineError(
        `athena CTAS for ${snapshot.tenantId}/${snapshot.month} failed: ${(ctasError as Error | undefined)?.message}`,
        { cause: ctasError },
      );
    }
    const { outputRows } = await this.runner.runtimeRows(queryExecutionId);
    if (outputRows === undefined) {
      throw new ConversionVerificationError(`no output row count for query ${queryExecutionId}`);
    }
    const keys: string[] = [];
    for await (const info of this.store.list(snapshot.stagingPrefix)) {
      if (info.size > 0) keys.push(info.key);
    }
    return { rows: outputRows, keys };
  }
}
