/**
 * Local mode of search: the same handler over DuckDB and in-memory state (one process), plus
 * entry points for the benchmark (`searchLocal`, `aggregateLocal`) that bypass HTTP and tokens.
 *
 * The dev server plugs the routes in with `searchRoutes(readLocalSearchEnv(env))`
 * (shared/local/server/route-plugins.ts). Locally the scan cutoff is measured on the files a query
 * touches and the concurrency limit is kept in memory; answers and errors are the same as on AWS.
 */
import { join } from 'node:path';
import { DuckDbSearchEngine } from '../../shared/adapters/local/duckdb-search-engine.js';
import type { KeySetSource } from '../../shared/auth/tokens.js';
import type { RoutePlugin } from '../../shared/local/server/routes.js';
import type { Observability } from '../../shared/observability/index.js';
import { type Clock, systemClock } from '../../shared/ports/clock.js';
import type { PagePosition } from '../../shared/query/cursor.js';
import { InMemoryConcurrencyLimiter, InMemoryQueryRegistry } from '../../shared/query/memory.js';
import type { AggregateResult, SearchPage } from '../../shared/query/ports.js';
import { parseAggregateRequest, parseSearchRequest } from '../../shared/query/request.js';
import type { UsageMeter } from '../../shared/usage/meter.js';
import { LEASE_MS, type LocalSearchEnvConfig, QUERY_TTL_MS } from './config.js';
import { createSearchHandler, type SearchDeps, type SearchHandler } from './create-handler.js';

export interface LocalSearchOptions extends Partial<LocalSearchEnvConfig> {
  /** The lake directory (`$OPLAKE_DATA_DIR/lake`). */
  lakeRoot: string;
  keys: KeySetSource;
  clock?: Clock;
  observability?: Observability;
  usage?: UsageMeter;
}

export function createLocalSearchDeps(
  options: LocalSearchOptions,
): SearchDeps & { engine: DuckDbSearchEngine } {
  const clock = options.clock ?? systemClock;
  return {
    engine: new DuckDbSearchEngine({
      lakeRoot: options.lakeRoot,
      scanCutoffBytes: options.scanCutoffBytes ?? 1024 ** 3,
    }),
    limiter: new InMemoryConcurrencyLimiter({
      maxConcurrent: options.maxConcurrentQueries ?? 3,
      leaseMs: LEASE_MS,
      clock,
    }),
    registry: new InMemoryQueryRegistry(clock),
    keys: options.keys,
    clock,
    waitBudgetMs: options.waitBudgetMs ?? 10_000,
    queryTtlMs: QUERY_TTL_MS,
    ...(options.observability ? { observability: options.observability } : {}),
    ...(options.usage ? { usage: options.usage } : {}),
  };
}

export function createLocalSearchHandler(options: LocalSearchOptions): SearchHandler {
  return createSearchHandler(createLocalSearchDeps(options));
}

/** A route plugin: POST /v1/search, GET and DELETE /v1/search/{id}, POST /v1/aggregate on one handler. */
export function searchRoutes(config: Partial<LocalSearchEnvConfig> = {}): RoutePlugin {
  return (routes, runtime) => {
    const handler = createLocalSearchHandler({
      ...config,
      lakeRoot: join(runtime.dataDir, 'lake'),
      keys: runtime.keys,
      clock: runtime.clock,
      observability: runtime.obs,
      usage: runtime.usage,
    });
    routes.add({ method: 'POST', path: '/v1/search', functionName: 'search', handler });
    routes.add({ method: 'GET', path: '/v1/search/{id}', functionName: 'search', handler });
    routes.add({ method: 'DELETE', path: '/v1/search/{id}', functionName: 'search', handler });
    routes.add({ method: 'POST', path: '/v1/aggregate', functionName: 'search', handler });
  };
}

// ---------------------------------------------------------------------------------------------
// Benchmark entry points: no HTTP, no token, no wait budget.

/** setTimeout's largest delay: in effect, wait for the answer. */
const NO_BUDGET = 2_147_483_647;
const engines = new Map<string, DuckDbSearchEngine>();
function engineFor(lakeRoot: string, scanCutoffBytes: number): DuckDbSearchEngine {
  const key = `${lakeRoot}\u0000${scanCutoffBytes}`;
  let engine = engines.get(key);
  if (!engine) {
    engine = new DuckDbSearchEngine({ lakeRoot, scanCutoffBytes });
    engines.set(key, engine);
  }
  return engine;
}

export interface LocalRunOptions {
  scanCutoffBytes?: number;
  /** Keyset position of the page to read (from a previous answer's `next`). */
  after?: PagePosition | null;
}

/**
 * One search page for a tenant, straight on the local engine: `request` is the POST body of
 * /v1/search (its `cursor` is ignored; use `options.after`). Returns the page and the time taken.
 */
export async function searchLocal(
  lakeRoot: string,
  tenantId: string,
  request: unknown,
  options: LocalRunOptions = {},
): Promise<SearchPage & { elapsedMs: number }> {
  const { query } = parseSearchRequest({ ...(request as Record<string, unknown>), cursor: null });
  const started = performance.now();
  const outcome = await engineFor(lakeRoot, options.scanCutoffBytes ?? Number.MAX_SAFE_INTEGER).search(
    tenantId,
    query,
    options.after ?? null,
    NO_BUDGET,
  );
  if (outcome.status !== 'done') throw new Error('unreachable: no wait budget');
  return { ...outcome.result, elapsedMs: performance.now() - started };
}

/** An aggregate for a tenant, straight on the local engine (`request` = body of /v1/aggregate). */
export async function aggregateLocal(
  lakeRoot: string,
  tenantId: string,
  request: unknown,
  options: Omit<LocalRunOptions, 'after'> = {},
): Promise<AggregateResult & { elapsedMs: number }> {
  const query = parseAggregateRequest(request);
  const started = performance.now();
  const outcome = await engineFor(lakeRoot, options.scanCutoffBytes ?? Number.MAX_SAFE_INTEGER).aggregate(
    tenantId,
    query,
    NO_BUDGET,
  );
  if (outcome.status !== 'done') throw new Error('unreachable: no wait budget');
  return { ...outcome.result, elapsedMs: performance.now() - started };
}

/** Closes the engines searchLocal / aggregateLocal opened. */
export async function closeLocalEngines(): Promise<void> {
  for (const engine of engines.values()) await engine.close();
  engines.clear();
}
