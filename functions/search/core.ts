/**
 * The search core: validates a request, checks the cursor, takes a concurrency slot, runs the
 * query on the engine within the wait budget and shapes the answer (CONTRACT.md "Search",
 * "Aggregate"). It knows ports only; the handler and the composition roots wire adapters in.
 */
import type { KeySetSource } from '../../shared/auth/tokens.js';
import { NotFoundError, QueryCancelledError } from '../../shared/errors.js';
import type { Clock } from '../../shared/ports/clock.js';
import { queryFingerprint, signCursor, verifyCursor } from '../../shared/query/cursor.js';
import type {
  AggregateResult,
  ConcurrencyLimiter,
  EndState,
  Outcome,
  QueryKind,
  QueryRecord,
  QueryRegistry,
  SearchEngine,
  SearchPage,
} from '../../shared/query/ports.js';
import {
  type AggregateQuery,
  parseAggregateRequest,
  parseSearchRequest,
  type SearchQuery,
} from '../../shared/query/request.js';

export interface SearchCoreDeps {
  engine: SearchEngine;
  limiter: ConcurrencyLimiter;
  registry: QueryRegistry;
  /** The token key set; cursor keys are derived from it (shared/query/cursor.ts). */
  keys: KeySetSource;
  clock: Clock;
  /** How long a request waits for its query before answering 202. */
  waitBudgetMs: number;
  /** How long a query that answered 202 stays reachable by GET /v1/search/{queryId}. */
  queryTtlMs: number;
}

export type CoreAnswer =
  | { status: 200; body: SearchBody | AggregateBody }
  | { status: 202; body: { queryId: string; status: 'running' } };

export interface CancelAnswer {
  status: 200;
  body: { queryId: string; status: EndState };
}

export interface SearchBody {
  events: SearchPage['events'];
  nextCursor: string | null;
  stats: SearchPage['stats'];
}

export interface AggregateBody {
  rows: AggregateResult['rows'];
  stats: AggregateResult['stats'];
}

const QUERY_ID = /^[A-Za-z0-9-]{1,128}$/;

export async function searchEvents(
  tenantId: string,
  body: unknown,
  deps: SearchCoreDeps,
): Promise<CoreAnswer> {
  const { query, cursor } = parseSearchRequest(body);
  const fingerprint = queryFingerprint('search', query);
  const keySet = await deps.keys.load();
  const position = cursor === null ? null : verifyCursor(keySet, cursor, tenantId, fingerprint);
  const needsSlot = position === null || deps.engine.pagingRunsQuery(position);
  return withSlot<SearchPage>(tenantId, 'search', query, needsSlot, deps, async (outcome) =>
    searchBody(outcome, deps, tenantId, query),
  )(() => deps.engine.search(tenantId, query, position, deps.waitBudgetMs));
}

export async function aggregateEvents(
  tenantId: string,
  body: unknown,
  deps: SearchCoreDeps,
): Promise<CoreAnswer> {
  const query = parseAggregateRequest(body);
  return withSlot<AggregateResult>(tenantId, 'aggregate', query, true, deps, async (result) => ({
    rows: result.rows,
    stats: result.stats,
  }))(() => deps.engine.aggregate(tenantId, query, deps.waitBudgetMs));
}

/** GET /v1/search/{queryId}: only the tenant that started the query can see it (else 404). */
export async function getQuery(tenantId: string, queryId: string, deps: SearchCoreDeps): Promise<CoreAnswer> {
  const record = await ownedRecord(tenantId, queryId, deps);
  if (record.cancelled) {
    await releaseRecordSlot(record.queryId, tenantId, deps);
    throw new QueryCancelledError('this query was cancelled; it has no results (run it again to see them)');
  }
  let outcome: Outcome<SearchPage | AggregateResult>;
  try {
    outcome = await deps.engine.poll(record, deps.waitBudgetMs);
  } catch (error) {
    await releaseRecordSlot(record.queryId, tenantId, deps);
    throw error;
  }
  if (outcome.status === 'running') return { status: 202, body: { queryId, status: 'running' } };
  await releaseRecordSlot(record.queryId, tenantId, deps);
  if (record.kind === 'search') {
    return {
      status: 200,
      body: await searchBody(outcome.result as SearchPage, deps, tenantId, record.query as SearchQuery),
    };
  }
  const result = outcome.result as AggregateResult;
  return { status: 200, body: { rows: result.rows, stats: result.stats } };
}

/**
 * DELETE /v1/search/{queryId}: stops the tenant's running query and frees its concurrency slot at
 * once. Same 404 rule as GET. Idempotent: a query already cancelled answers `cancelled` again; one
 * that had already ended answers `succeeded` or `failed` and stays as it was (GET still answers).
 */
export async function cancelQuery(
  tenantId: string,
  queryId: string,
  deps: SearchCoreDeps,
): Promise<CancelAnswer> {
  const record = await ownedRecord(tenantId, queryId, deps);
  let status: EndState = 'cancelled';
  if (!record.cancelled) {
    status = await deps.engine.cancel(record);
    if (status === 'cancelled') await deps.registry.markCancelled(record.queryId);
  }
  await releaseRecordSlot(record.queryId, tenantId, deps);
  return { status: 200, body: { queryId: record.queryId, status } };
}

async function ownedRecord(tenantId: string, queryId: string, deps: SearchCoreDeps): Promise<QueryRecord> {
  const record = QUERY_ID.test(queryId) ? await deps.registry.get(queryId) : null;
  if (record === null || record.tenantId !== tenantId) throw new NotFoundError('no such query');
  return record;
}

async function releaseRecordSlot(queryId: string, tenantId: string, deps: SearchCoreDeps): Promise<void> {
  const lease = await deps.registry.takeLease(queryId);
  if (lease !== null) await deps.limiter.release(tenantId, lease);
}

function withSlot<T extends SearchPage | AggregateResult>(
  tenantId: string,
  kind: QueryKind,
  query: SearchQuery | AggregateQuery,
  needsSlot: boolean,
  deps: SearchCoreDeps,
  shape: (result: T) => Promise<SearchBody | AggregateBody>,
): (run: () => Promise<Outcome<T>>) => Promise<CoreAnswer> {
  return async (run) => {
    const leaseId = needsSlot ? await deps.limiter.acquire(tenantId) : null;
    let outcome: Outcome<T>;
    try {
      outcome = await run();
    } catch (error) {
      if (leaseId !== null) await deps.limiter.release(tenantId, leaseId);
      throw error;
    }
    if (outcome.status === 'running') {
      // The slot stays taken while the query runs; the poll that sees it finish gives it back
      // (or the lease expires).
      await deps.registry.put({
        queryId: outcome.queryId,
        tenantId,
        kind,
        query,
        leaseId,
        expiresAt: deps.clock.now().getTime() + deps.queryTtlMs,
      });
      return { status: 202, body: { queryId: outcome.queryId, status: 'running' } };
    }
    if (leaseId !== null) await deps.limiter.release(tenantId, leaseId);
    return { status: 200, body: await shape(outcome.result) };
  };
}

async function searchBody(
  page: SearchPage,
  deps: SearchCoreDeps,
  tenantId: string,
  query: SearchQuery,
): Promise<SearchBody> {
  const nextCursor =
    page.next === null
      ? null
      : signCursor(await deps.keys.load(), tenantId, queryFingerprint('search', query), page.next);
  return { events: page.events, nextCursor, stats: page.stats };
}
