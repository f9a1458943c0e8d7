/**
 * One CTAS into a fresh staging prefix, as the conversion and the compaction run it on Athena:
 * the statement, then DROP TABLE of its temporary table whatever happened (DDL: outside the DML
 * quota; the data stays), then the rows written (GetQueryRuntimeStatistics) and the staged keys.
 * A failed CTAS is a ConversionEngineError with the cause; a failed DROP after a good CTAS too.
 */
import type { StagedOutput } from '../../conversion/engine.js';
import { ConversionEngineError, ConversionVerificationError } from '../../conversion/errors.js';
import { athenaDropTable } from '../../conversion/sql.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { AthenaRunner } from './athena-runner.js';

export interface CtasTarget {
  database: string;
  workgroup: string;
  outputLocation?: string;
}

export async function runCtas(
  runner: AthenaRunner,
  store: ObjectStore,
  target: CtasTarget,
  ctas: { sql: string; params: string[]; table: string; stagingPrefix: string; label: string },
): Promise<StagedOutput> {
  const common = {
    workgroup: target.workgroup,
    database: target.database,
    ...(target.outputLocation ? { outputLocation: target.outputLocation } : {}),
  };
  let queryExecutionId: string | undefined;
  let ctasError: unknown;
  try {
    ({ queryExecutionId } = await runner.runQuery({ sql: ctas.sql, params: ctas.params, ...common }));
  } catch (error) {
    ctasError = error;
  }
  try {
    await runner.runQuery({ sql: athenaDropTable(target.database, ctas.table), ...common });
  } catch (dropError) {
    if (ctasError === undefined) {
      throw new ConversionEngineError(`could not drop ${ctas.table}: ${(dropError as Error).message}`, {
        cause: dropError,
      });
    }
  }
  if (ctasError !== undefined || queryExecutionId === undefined) {
    throw new ConversionEngineError(
      `athena CTAS for ${ctas.label} failed: ${(ctasError as Error | undefined)?.message}`,
      { cause: ctasError },
    );
  }
  const { outputRows } = await runner.runtimeRows(queryExecutionId);
  if (outputRows === undefined) {
    throw new ConversionVerificationError(`no output row count for query ${queryExecutionId}`);
  }
  const keys: string[] = [];
  for await (const info of store.list(ctas.stagingPrefix)) {
    if (info.size > 0) keys.push(info.key);
  }
  return { rows: outputRows, keys };
}
