/**
 * Ports of the search core: the engine that runs queries (DuckDB locally, Athena on AWS), the
 * per-tenant concurrency limiter and the registry of running queries (queryId -> tenant).
 * They hold only what the core needs and never name an SDK type.
 */
import type { OutputEvent } from '../domain/event.js';
import type { PagePosition } from './cursor.js';
import type { AggregateQuery, SearchQuery } from './request.js';

export type EngineName = 'duckdb' | 'athena';

export interface QueryStats {
  scannedBytes: number;
  engine: EngineName;
  queryId: string;
}

export interface SearchPage {
  events: OutputEvent[];
  /** Where the next page starts, or null on the last page. */
  next: PagePosition | null;
  stats: QueryStats;
}

export interface AggregateRow {
  key: string | null;
  count: number;
  durationMs: number;
}

export interface AggregateResult {
  rows: AggregateRow[];
  stats: QueryStats;
}

/** A query either finished within the wait budget or is still running under `queryId`. */
export type Outcome<T> = { status: 'done'; result: T } | { status: 'running'; queryId: string };

export type QueryKind = 'search' | 'aggregate';

/** A query that answered 202: who owns it and what it was. */
export interface QueryRecord {
  queryId: string;
  tenantId: string;
  kind: QueryKind;
  /** The canonical query (SearchQuery or AggregateQuery). */
  query: SearchQuery | AggregateQuery;
  /** The concurrency lease the query holds until someone sees it finish (or the lease expires). */
  leaseId: string | null;
  /** Epoch milliseconds after which the record may be forgotten. */
  expiresAt: number;
  /** Set once its tenant cancelled it (DELETE /v1/search/{queryId}); GET then answers 410. */
  cancelled?: boolean;
}

/** How a query ended, as DELETE /v1/search/{queryId} tells it. */
export type EndState = 'cancelled' | 'succeeded' | 'failed';

export interface SearchEngine {
  readonly name: EngineName;
  /**
   * First page (position null), or the page at `position` (a position this engine issued).
   * Throws ScanLimitExceededError when the query hits its scan cutoff.
   */
  search(
    tenantId: string,
    query: SearchQuery,
    position: PagePosition | null,
    waitMs: number,
  ): Promise<Outcome<SearchPage>>;
  aggregate(tenantId: string, query: AggregateQuery, waitMs: number): Promise<Outcome<AggregateResult>>;
  /** A query that answered `running` before: its first page / rows, or still running. */
  poll(record: QueryRecord, waitMs: number): Promise<Outcome<SearchPage | AggregateResult>>;
  /**
   * Stops a query that answered `running` before, if it still runs, and says how it ended:
   * `cancelled` when this call (or an earlier one) stopped it, else `succeeded` or `failed`.
   */
  cancel(record: QueryRecord): Promise<EndState>;
  /** Whether a page at `position` runs a new query (and so needs a concurrency lease). */
  pagingRunsQuery(position: PagePosition): boolean;
}

export interface ConcurrencyLimiter {
  /** Takes one of the tenant's query slots; throws TooManyQueriesError (with Retry-After) when none is free. */
  acquire(tenantId: string): Promise<string>;
  /** Gives a slot back; unknown or expired leases are ignored. */
  release(tenantId: string, leaseId: string): Promise<void>;
}

export interface QueryRegistry {
  put(record: QueryRecord): Promise<void>;
  get(queryId: string): Promise<QueryRecord | null>;
  /** Marks the record's lease as given back (so only one poll releases it). Returns the lease that was held. */
  takeLease(queryId: string): Promise<string | null>;
  /** Marks the record cancelled (GET answers 410 `query_cancelled` from then on). */
  markCancelled(queryId: string): Promise<void>;
}
