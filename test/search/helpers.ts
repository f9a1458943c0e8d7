/** Wiring shared by the search suites: a local core over a lake directory, with fixed keys. */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import {
  aggregateEvents,
  type SearchBody,
  type SearchCoreDeps,
  searchEvents,
} from '../../functions/search/core.js';
import { createSearchHandler, type SearchDeps } from '../../functions/search/create-handler.js';
import { DuckDbSearchEngine } from '../../shared/adapters/local/duckdb-search-engine.js';
import { type KeySet, type KeySetSource, newKeySet, signToken } from '../../shared/auth/tokens.js';
import { functionUrlEvent } from '../../shared/local/server/http-event.js';
import { systemClock } from '../../shared/ports/clock.js';
import { InMemoryConcurrencyLimiter, InMemoryQueryRegistry } from '../../shared/query/memory.js';

export const KEYS: KeySet = newKeySet('k-test');
export const keySource: KeySetSource = { load: async () => KEYS };

export async function tempLake(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'oplake-search-'));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export interface LocalOptions {
  scanCutoffBytes?: number;
  maxConcurrent?: number;
  waitBudgetMs?: number;
}

export function localDeps(
  lakeRoot: string,
  options: LocalOptions = {},
): SearchCoreDeps & { engine: DuckDbSearchEngine } {
  return {
    engine: new DuckDbSearchEngine({
      lakeRoot,
      scanCutoffBytes: options.scanCutoffBytes ?? 1e12,
      threads: 1,
    }),
    limiter: new InMemoryConcurrencyLimiter({ maxConcurrent: options.maxConcurrent ?? 4, leaseMs: 60_000 }),
    registry: new InMemoryQueryRegistry(),
    keys: keySource,
    clock: systemClock,
    waitBudgetMs: options.waitBudgetMs ?? 30_000,
    queryTtlMs: 600_000,
  };
}

export function handlerOf(deps: SearchDeps) {
  return createSearchHandler(deps);
}

export async function token(
  tenantId: string | null,
  scope: 'search' | 'ingest' | 'admin' = 'search',
  keys = KEYS,
) {
  return signToken(keys, { tenantId, scope, ttlSeconds: 3600 });
}

export function httpEvent(
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return functionUrlEvent({ method, path, headers, ...(body === undefined ? {} : { body }) });
}

export const lambdaContext = {
  functionName: 'search',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

/**
 * The whole answer of a lake for a tenant and range: every page of the search (newest first),
 * then an aggregate over time. Two lakes (or one lake at two moments) answer alike when these
 * strings are equal.
 */
export async function wholeAnswer(
  lakeRoot: string,
  tenantId: string,
  range: { from: string; to: string },
  options: { pageSize: number; groupBy: 'day' | 'hour' },
): Promise<string> {
  const deps = localDeps(lakeRoot);
  try {
    const events: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = (await searchEvents(tenantId, { ...range, limit: options.pageSize, cursor }, deps))
        .body as SearchBody;
      events.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor !== null);
    const aggregate = await aggregateEvents(tenantId, { ...range, groupBy: options.groupBy }, deps);
    return JSON.stringify({ events, rows: (aggregate.body as { rows: unknown }).rows });
  } finally {
    await deps.engine.close();
  }
}
