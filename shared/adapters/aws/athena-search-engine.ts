/**
 * Search engine on AWS: Athena (engine v3) over the Glue tables `events` (Parquet) and
 * `raw_events` (gzip JSON Lines), both with partition projection (tenant_id injected, dt date).
 *
 * - Fairness: a tenant's queries run in one workgroup of the pool, `shardOf(tenant, n)` unless
 *   overridden (heavy tenants get their own). Each workgroup has a per-query scan cutoff; a
 *   query it cancels becomes 422 `scan_limit_exceeded`.
 * - Async: the query is started, then watched for at most the wait budget; past it the caller
 *   answers 202 with the QueryExecutionId and `poll` looks again later.
 * - Paging: the search SQL has no LIMIT; pages are GetQueryResults pages of the SAME execution
 *   (NextToken wrapped into the signed cursor), so following a cursor never scans again.
 * - Result reuse: only for ranges that end before the start of today (UTC), with a short max age
 *   (docs/search.md says why it cannot be longer: late arrivals change old days).
 *   Never across tenants: workgroups are shared and reuse matches on the query string, so the
 *   SQL names the tenant as a literal (shared/query/sql-parts.ts `Builder.tenant`).
 *
 * Built on AthenaRunner (shared/adapters/aws/athena-runner.ts) for StartQueryExecution (with
 * ExecutionParameters, throttle retries) and GetQueryResults. Its `wait` polls to the end and stops
 * the query on timeout, which does not fit a wait budget, so the state check is done here with
 * one GetQueryExecution per poll.
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { EventType, OutputEvent } from '../../domain/event.js';
import { shardOf } from '../../domain/layout.js';
import { ApiError, ScanLimitExceededError, TooManyQueriesError } from '../../errors.js';
import type { PagePosition } from '../../query/cursor.js';
import type {
  AggregateResult,
  AggregateRow,
  EndState,
  Outcome,
  QueryRecord,
  QueryStats,
  SearchEngine,
  SearchPage,
} from '../../query/ports.js';
import type { AggregateQuery, SearchQuery } from '../../query/request.js';
import { athenaSources, buildAggregateSql, buildSearchSql, type Sources } from '../../query/sql.js';
import {
  AthenaQueryFailedError,
  type AthenaRunner,
  AthenaScanLimitError,
  AthenaThrottledError,
  type QueryResultsPage,
} from './athena-runner.js';

export interface AthenaSearchEngineOptions {
  /** Glue database holding the tables. */
  database: string;
  /** Table names (default raw_events, events_v2, and the previous layout's `events`). */
  tables?: { raw: string; events: string; legacy: string | null; month?: string | null };
  /** The workgroup pool (Terraform variable); at least one. */
  workgroups: readonly string[];
  /** tenant -> workgroup for heavy tenants. */
  overrides?: Readonly<Record<string, string>>;
  /** Result location when the workgroup does not enforce one. */
  outputLocation?: string;
  /** Max age of reused results for ranges that end before today. 0 turns reuse off. Default 15. */
  resultReuseMinutes?: number;
  /** Pause between two GetQueryExecution calls while waiting. Default 400 ms. */
  pollMs?: number;
  /** Seconds a throttled caller is told to wait. Default 5. */
  retryAfterSeconds?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** GetQueryResults answers at most 1,000 rows a call. */
const MAX_RESULTS = 1000;
const SCAN_LIMIT_REASON = /(bytes|data)[ -]scanned|scan(ned)? limit|cutoff/i;

type Watch = { state: 'running' } | { state: 'succeeded'; scannedBytes: number };

export class AthenaSearchEngine implements SearchEngine {
  readonly name = 'athena' as const;
  private readonly sources: Sources;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: AthenaClient,
    private readonly runner: AthenaRunner,
    private readonly options: AthenaSearchEngineOptions,
  ) {
    if (options.workgroups.length === 0) throw new RangeError('the workgroup pool is empty');
    this.sources = athenaSources(options.database, options.tables);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The tenant's workgroup: its override, else its hash shard of the pool. */
  workgroupOf(tenantId: string): string {
    // Own keys only: "constructor" is a valid tenant id and must not find Object.prototype's.
    const overrides = this.options.overrides;
    if (overrides && Object.hasOwn(overrides, tenantId)) return overrides[tenantId] as string;
    return this.options.workgroups[shardOf(tenantId, this.options.workgroups.length)] as string;
  }

  /** Result reuse only for ranges that end before the start of today (UTC). */
  reuseMinutesFor(to: string): number | undefined {
    const minutes = this.options.resultReuseMinutes ?? 15;
    if (minutes <= 0) return undefined;
    const startOfToday = Math.floor(this.now() / 86_400_000) * 86_400_000;
    return Date.parse(to) <= startOfToday ? minutes : undefined;
  }

  pagingRunsQuery(position: PagePosition): boolean {
    return position.kind !== 'results';
  }

  async search(
    tenantId: string,
    query: SearchQuery,
    position: PagePosition | null,
    waitMs: number,
  ): Promise<Outcome<SearchPage>> {
    if (position !== null) {
      if (position.kind !== 'results') throw new RangeError('Athena pages through query results only');
      const page = await this.results(position.executionId, position.nextToken, query.limit);
      return { status: 'done', result: this.searchPage(page, position.executionId, 0) };
    }
    const built = buildSearchSql({ dialect: 'athena', sources: this.sources, tenantId, query });
    const id = await this.start(tenantId, built.sql, built.params as string[], query.to);
    return this.finishSearch(id, query.limit, waitMs);
  }

  async aggregate(
    tenantId: string,
    query: AggregateQuery,
    waitMs: number,
  ): Promise<Outcome<AggregateResult>> {
    const built = buildAggregateSql({ dialect: 'athena', sources: this.sources, tenantId, query });
    const id = await this.start(tenantId, built.sql, built.params as string[], query.to);
    return this.finishAggregate(id, waitMs);
  }

  async poll(record: QueryRecord, waitMs: number): Promise<Outcome<SearchPage | AggregateResult>> {
    return record.kind === 'search'
      ? this.finishSearch(record.queryId, (record.query as SearchQuery).limit, waitMs)
      : this.finishAggregate(record.queryId, waitMs);
  }

  /**
   * DELETE /v1/search/{queryId}: StopQueryExecution while it is QUEUED or RUNNING. A query that
   * ends between the look and the stop may make Athena refuse the stop (InvalidRequestException):
   * then its final state is read again and answered.
   */
  async cancel(record: QueryRecord, retried = false): Promise<EndState> {
    try {
      const answer = await this.client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: record.queryId }),
      );
      const status = answer.QueryExecution?.Status;
      switch (status?.State) {
        case 'SUCCEEDED':
          return 'succeeded';
        case 'FAILED':
          return 'failed';
        case 'CANCELLED':
          // The workgroup's scan cutoff cancels too: for the caller that query failed (422).
          return SCAN_LIMIT_REASON.test(status.StateChangeReason ?? status.AthenaError?.ErrorMessage ?? '')
            ? 'failed'
            : 'cancelled';
        default:
          await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: record.queryId }));
          return 'cancelled';
      }
    } catch (error) {
      if (!retried && (error as { name?: string }).name === 'InvalidRequestException')
        return this.cancel(record, true);
      throw this.translate(error);
    }
  }

  private async start(tenantId: string, sql: string, params: string[], to: string): Promise<string> {
    const reuse = this.reuseMinutesFor(to);
    try {
      return await this.runner.start({
        sql,
        params,
        workgroup: this.workgroupOf(tenantId),
        ...(this.options.outputLocation ? { outputLocation: this.options.outputLocation } : {}),
        ...(reuse ? { resultReuseMinutes: reuse } : {}),
      });
    } catch (error) {
      throw this.translate(error);
    }
  }

  private async finishSearch(id: string, limit: number, waitMs: number): Promise<Outcome<SearchPage>> {
    const watch = await this.watch(id, waitMs);
    if (watch.state === 'running') return { status: 'running', queryId: id };
    const page = await this.results(id, undefined, limit);
    return { status: 'done', result: this.searchPage(page, id, watch.scannedBytes) };
  }

  private async finishAggregate(id: string, waitMs: number): Promise<Outcome<AggregateResult>> {
    const watch = await this.watch(id, waitMs);
    if (watch.state === 'running') return { status: 'running', queryId: id };
    const rows: AggregateRow[] = [];
    let token: string | undefined;
    do {
      const page = await this.results(id, token, MAX_RESULTS);
      rows.push(...page.rows.map((row) => toAggregateRow(page.columns, row)));
      token = page.nextToken;
    } while (token !== undefined);
    return { status: 'done', result: { rows, stats: this.stats(id, watch.scannedBytes) } };
  }

  /** Looks at the execution until it ends or the budget is spent. */
  private async watch(id: string, waitMs: number): Promise<Watch> {
    const deadline = this.now() + waitMs;
    for (;;) {
      let answer: GetQueryExecutionCommandOutput;
      try {
        answer = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      } catch (error) {
        throw this.translate(error);
      }
      const execution = answer.QueryExecution;
      const state = execution?.Status?.State;
      const scannedBytes = Number(execution?.Statistics?.DataScannedInBytes ?? 0);
      const reason =
        execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage ?? '';
      if (state === 'SUCCEEDED') return { state: 'succeeded', scannedBytes };
      if (state === 'CANCELLED' && SCAN_LIMIT_REASON.test(reason)) {
        throw scanLimit(scannedBytes, new AthenaScanLimitError(reason, { queryExecutionId: id }));
      }
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new AthenaQueryFailedError(
          `search query ${state.toLowerCase()}: ${reason || 'no reason given'}`,
          {
            queryExecutionId: id,
          },
        );
      }
      const left = deadline - this.now();
      if (left <= 0) return { state: 'running' };
      await this.sleep(Math.min(this.options.pollMs ?? 400, left));
    }
  }

  private async results(id: string, nextToken: string | undefined, limit: number): Promise<QueryResultsPage> {
    try {
      // The first page carries the header row, which the runner drops: ask for one more.
      return await this.runner.getResults(
        id,
        nextToken,
        Math.min(MAX_RESULTS, nextToken ? limit : limit + 1),
      );
    } catch (error) {
      throw this.translate(error);
    }
  }

  private searchPage(page: QueryResultsPage, id: string, scannedBytes: number): SearchPage {
    return {
      events: page.rows.map((row) => toEvent(page.columns, row)),
      next: page.nextToken ? { kind: 'results', executionId: id, nextToken: page.nextToken } : null,
      stats: this.stats(id, scannedBytes),
    };
  }

  private stats(queryId: string, scannedBytes: number): QueryStats {
    return { scannedBytes, engine: this.name, queryId };
  }

  private translate(error: unknown): unknown {
    if (error instanceof ApiError) return error;
    if (error instanceof AthenaScanLimitError) return scanLimit(error.scannedBytes, error);
    const name = (error as { name?: string }).name ?? '';
    if (
      error instanceof AthenaThrottledError ||
      name === 'TooManyRequestsException' ||
      name === 'ThrottlingException'
    ) {
      return new TooManyQueriesError('the query service is busy (Athena concurrency quota); retry later', {
        cause: error,
        retryAfterSeconds: this.options.retryAfterSeconds ?? 5,
      });
    }
    return error;
  }
}

function scanLimit(scannedBytes: number, cause: unknown): ScanLimitExceededError {
  return new ScanLimitExceededError(
    "the query reached its workgroup's scan cutoff and was cancelled; narrow the time range or add filters (types, deviceId)",
    { cause, details: [{ scannedBytes }] },
  );
}

function record(columns: string[], row: (string | null)[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  columns.forEach((name, i) => {
    out[name] = row[i] ?? null;
  });
  return out;
}

function toEvent(columns: string[], row: (string | null)[]): OutputEvent {
  const r = record(columns, row);
  return {
    eventId: r.event_id ?? '',
    type: (r.type ?? 'app') as EventType,
    ts: r.ts ?? '',
    deviceId: r.device_id ?? '',
    user: r.user ?? null,
    host: r.host ?? null,
    app: r.app ?? null,
    title: r.title ?? null,
    url: r.url ?? null,
    domain: r.domain ?? null,
    path: r.path ?? null,
    op: r.op ?? null,
    durationMs: r.duration_ms === null || r.duration_ms === undefined ? null : Number(r.duration_ms),
    attrs: r.attrs ? (JSON.parse(r.attrs) as Record<string, unknown>) : null,
  };
}

function toAggregateRow(columns: string[], row: (string | null)[]): AggregateRow {
  const r = record(columns, row);
  return {
    key: r.group_key ?? null,
    count: Number(r.event_count ?? 0),
    durationMs: Number(r.duration_ms_total ?? 0),
  };
}
