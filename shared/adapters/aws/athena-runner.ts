/**
 * Runs one Athena query to its end: StartQueryExecution (ExecutionParameters, WorkGroup,
 * optional ResultConfiguration and result reuse), then GetQueryExecution with capped exponential
 * backoff until SUCCEEDED, FAILED or CANCELLED. General on purpose: the nightly conversion and
 * search both use it. SDK failures become the classes below:
 *   AthenaThrottledError   TooManyRequestsException (the regional DML quota), after our own retries
 *   AthenaScanLimitError   CANCELLED by the workgroup's BytesScannedCutoffPerQuery
 *   AthenaQueryFailedError FAILED, CANCELLED otherwise, or still running when our wait ran out
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetQueryRuntimeStatisticsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';

export class AthenaError extends Error {
  readonly queryExecutionId: string | undefined;
  constructor(message: string, options: { cause?: unknown; queryExecutionId?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.queryExecutionId = options.queryExecutionId;
  }
}
export class AthenaQueryFailedError extends AthenaError {
  /** Athena's ErrorType / ErrorCategory when it gave them. */
  errorType: number | undefined;
  errorCategory: number | undefined;
}
export class AthenaThrottledError extends AthenaError {}
export class AthenaScanLimitError extends AthenaError {
  scannedBytes = 0;
}

export type QueryParam = string | number | boolean;

export interface RunQueryInput {
  sql: string;
  /** Positional values for `?`; strings are sent as quoted SQL literals, as Athena expects. */
  params?: readonly QueryParam[];
  workgroup: string;
  /** Needed only when the workgroup does not enforce its own result location. */
  outputLocation?: string;
  /** Opt into query result reuse (same workgroup, same text), up to 10080 minutes. */
  resultReuseMinutes?: number;
  database?: string;
  catalog?: string;
}

export interface QueryOutcome {
  queryExecutionId: string;
  state: 'SUCCEEDED';
  scannedBytes: number;
  reused: boolean;
}

export interface QueryResultsPage {
  columns: string[];
  rows: (string | null)[][];
  nextToken?: string;
}

export interface AthenaRunnerOptions {
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** Give up (and stop the query) after this long. */
  maxWaitMs?: number;
  throttleRetries?: number;
  throttleBaseMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const THROTTLE_NAMES = new Set(['TooManyRequestsException', 'ThrottlingException']);
const SCAN_LIMIT_REASON = /(bytes|data)[ -]scanned|scan(ned)? limit|cutoff/i;

/** A SQL literal for an ExecutionParameter. */
export function toParameter(value: QueryParam): string {
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('parameter is not finite');
  return String(value);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class AthenaRunner {
  private readonly o: Required<AthenaRunnerOptions>;

  constructor(
    private readonly client: AthenaClient,
    options: AthenaRunnerOptions = {},
  ) {
    this.o = {
      pollInitialMs: options.pollInitialMs ?? 250,
      pollMaxMs: options.pollMaxMs ?? 5000,
      maxWaitMs: options.maxWaitMs ?? 13 * 60_000,
      throttleRetries: options.throttleRetries ?? 6,
      throttleBaseMs: options.throttleBaseMs ?? 500,
      sleep: options.sleep ?? defaultSleep,
      now: options.now ?? Date.now,
    };
  }

  /** Retries throttled calls with full-jitter exponential backoff, then AthenaThrottledError. */
  private async call<T>(what: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        if (!THROTTLE_NAMES.has(name)) throw error;
        if (attempt >= this.o.throttleRetries) {
          throw new AthenaThrottledError(`${what} throttled after ${attempt + 1} attempts`, { cause: error });
        }
        const cap = this.o.throttleBaseMs * 2 ** attempt;
        await this.o.sleep(Math.floor(cap / 2 + (Math.random() * cap) / 2));
      }
    }
  }

  async start(input: RunQueryInput): Promise<string> {
    const started = await this.call('StartQueryExecution', () =>
      this.client.send(
        new StartQueryExecutionCommand({
          QueryString: input.sql,
          WorkGroup: input.workgroup,
          ...(input.params && input.params.length > 0
            ? { ExecutionParameters: input.params.map(toParameter) }
            : {}),
          ...(input.database
            ? {
                QueryExecutionContext: {
                  Database: input.database,
                  ...(input.catalog ? { Catalog: input.catalog } : {}),
                },
              }
            : {}),
          ...(input.outputLocation ? { ResultConfiguration: { OutputLocation: input.outputLocation } } : {}),
          ...(input.resultReuseMinutes
            ? {
                ResultReuseConfiguration: {
                  ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: input.resultReuseMinutes },
                },
              }
            : {}),
        }),
      ),
    );
    if (!started.QueryExecutionId) throw new AthenaQueryFailedError('StartQueryExecution returned no id');
    return started.QueryExecutionId;
  }

  async runQuery(input: RunQueryInput): Promise<QueryOutcome> {
    const id = await this.start(input);
    return this.wait(id);
  }

  /** Polls until the query ends; throws the classes above for anything but SUCCEEDED. */
  async wait(queryExecutionId: string): Promise<QueryOutcome> {
    const deadline = this.o.now() + this.o.maxWaitMs;
    let delay = this.o.pollInitialMs;
    for (;;) {
      const answer = await this.call('GetQueryExecution', () =>
        this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryExecutionId })),
      );
      const execution = answer.QueryExecution;
      const state = execution?.Status?.State;
      const scannedBytes = Number(execution?.Statistics?.DataScannedInBytes ?? 0);
      const reason =
        execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage ?? '';
      if (state === 'SUCCEEDED') {
        return {
          queryExecutionId,
          state,
          scannedBytes,
          reused: execution?.Statistics?.ResultReuseInformation?.ReusedPreviousResult ?? false,
        };
      }
      if (state === 'CANCELLED' && SCAN_LIMIT_REASON.test(reason)) {
        const error = new AthenaScanLimitError(`query cancelled by the workgroup's scan limit: ${reason}`, {
          queryExecutionId,
        });
        error.scannedBytes = scannedBytes;
        throw error;
      }
      if (state === 'FAILED' || state === 'CANCELLED') {
        const error = new AthenaQueryFailedError(
          `query ${state.toLowerCase()}: ${reason || 'no reason given'}`,
          {
            queryExecutionId,
          },
        );
        error.errorType = execution?.Status?.AthenaError?.ErrorType;
        error.errorCategory = execution?.Status?.AthenaError?.ErrorCategory;
        throw error;
      }
      if (this.o.now() + delay > deadline) {
        await this.client
          .send(new StopQueryExecutionCommand({ QueryExecutionId: queryExecutionId }))
          .catch(() => {
            // best effort: the error below is what matters to the caller
          });
        throw new AthenaQueryFailedError(
          `query still ${state ?? 'unknown'} after ${this.o.maxWaitMs} ms; stopped`,
          {
            queryExecutionId,
          },
        );
      }
      await this.o.sleep(delay);
      delay = Math.min(delay * 2, this.o.pollMaxMs);
    }
  }

  /** One page of results; the first page's header row is dropped (columns carry the names). */
  async getResults(
    queryExecutionId: string,
    nextToken?: string,
    maxResults = 1000,
  ): Promise<QueryResultsPage> {
    const page = await this.call('GetQueryResults', () =>
      this.client.send(
        new GetQueryResultsCommand({
          QueryExecutionId: queryExecutionId,
          MaxResults: maxResults,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    const columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
    let rows = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));
    if (!nextToken && rows.length > 0 && rows[0]?.every((v, i) => v === columns[i])) rows = rows.slice(1);
    return { columns, rows, ...(page.NextToken ? { nextToken: page.NextToken } : {}) };
  }

  /** Rows read and written (CTAS: rows written), from GetQueryRuntimeStatistics. */
  async runtimeRows(
    queryExecutionId: string,
  ): Promise<{ inputRows: number | undefined; outputRows: number | undefined }> {
    const stats = await this.call('GetQueryRuntimeStatistics', () =>
      this.client.send(new GetQueryRuntimeStatisticsCommand({ QueryExecutionId: queryExecutionId })),
    );
    const rows = stats.QueryRuntimeStatistics?.Rows;
    return {
      inputRows: rows?.InputRows === undefined ? undefined : Number(rows.InputRows),
      outputRows: rows?.OutputRows === undefined ? undefined : Number(rows.OutputRows),
    };
  }
}
