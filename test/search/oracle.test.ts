/**
 * The reference oracle: random worlds of events (tenants, devices, duplicates across raw/ and
 * parquet/, days converted, raw-only or both; events sent with an id and without one, whose id
 * the normaliser derives from the position and the converted Parquet stores as the position
 * only) and random queries; what the local engine answers, paging to the end through signed
 * cursors, equals a plain TypeScript filter / dedup / sort.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { SearchBody } from '../../functions/search/core.js';
import { aggregateEvents, searchEvents } from '../../functions/search/core.js';
import type { StoredEvent } from '../../shared/domain/event.js';
import { parseAggregateRequest, parseSearchRequest } from '../../shared/query/request.js';
import { aggregateRequestArb, searchRequestArb, TENANTS, worldArb } from '../fixtures/search-arbitraries.js';
import {
  oracleAggregate,
  oracleSearch,
  type ParquetLayout,
  type PlacedEvent,
  writeLake,
} from '../fixtures/search-lake.js';
import { localDeps, tempLake } from './helpers.js';

const RUNS = Number(process.env.OPLAKE_ORACLE_RUNS ?? 25);

function requestBody(r: {
  range: { from: string; to: string };
  types?: string[] | undefined;
  filters: Record<string, string>;
  [k: string]: unknown;
}): Record<string, unknown> {
  const { range, types, ...rest } = r;
  return { from: range.from, to: range.to, ...(types ? { types } : {}), ...rest };
}

/** Writes one random world to a fresh lake, runs `body` over it with a local engine, cleans up. */
async function inWorld(
  placed: PlacedEvent[],
  body: (events: StoredEvent[], deps: ReturnType<typeof localDeps>) => Promise<void>,
  layout: ParquetLayout = 'current',
): Promise<void> {
  const lake = await tempLake();
  const deps = localDeps(lake.root);
  try {
    await writeLake(lake.root, placed, layout);
    await body(
      placed.map((p) => p.event),
      deps,
    );
  } finally {
    await deps.engine.close();
    await lake.cleanup();
  }
}

describe('search oracle (DuckDB over real files vs. plain TypeScript)', () => {
  it('search: every match once, in order, through every page', async () => {
    const seen = { matches: 0, multiPage: 0, queries: 0, derived: 0 };
    await fc.assert(
      fc.asyncProperty(
        worldArb,
        fc.array(fc.tuple(fc.constantFrom(...TENANTS), searchRequestArb), { minLength: 4, maxLength: 8 }),
        async (placed, queries) => {
          // Prepare
          await inWorld(placed, async (events, deps) => {
            for (const [tenant, request] of queries) {
              const body = requestBody(request);
              const expected = oracleSearch(events, tenant, parseSearchRequest(body).query);
              // Act
              const got = [];
              let cursor: string | null = null;
              let pages = 0;
              do {
                const answer = await searchEvents(tenant, { ...body, cursor }, deps);
                expect(answer.status).toBe(200);
                const page = answer.body as SearchBody;
                expect(page.events.length).toBeLessThanOrEqual(request.limit);
                expect(page.stats.engine).toBe('duckdb');
                got.push(...page.events);
                cursor = page.nextCursor;
                pages++;
                expect(pages).toBeLessThan(200);
              } while (cursor !== null);
              // Assess
              expect(got).toEqual(expected);
              seen.queries++;
              seen.matches += expected.length;
              // Answered from Parquet that stores only the position: the id was derived on read.
              const parquetOnly = new Set(
                placed
                  .filter((p) => p.area !== 'raw' && p.event.event_pos !== null)
                  .map((p) => p.event.event_id),
              );
              seen.derived += got.filter((e) => parquetOnly.has(e.eventId)).length;
              if (pages > 2) seen.multiPage++;
            }
          });
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    // The generators do reach the interesting cases (not only empty answers).
    expect(seen.matches).toBeGreaterThan(seen.queries / 2);
    expect(seen.multiPage).toBeGreaterThan(0);
    expect(seen.derived).toBeGreaterThan(0);
  });

  it('aggregate: counts and durations by every groupBy equal the oracle', async () => {
    let rows = 0;
    await fc.assert(
      fc.asyncProperty(
        worldArb,
        fc.array(fc.tuple(fc.constantFrom(...TENANTS), aggregateRequestArb), { minLength: 4, maxLength: 8 }),
        async (placed, queries) => {
          // Prepare
          await inWorld(placed, async (events, deps) => {
            for (const [tenant, request] of queries) {
              const body = requestBody(request);
              const expected = oracleAggregate(events, tenant, parseAggregateRequest(body));
              // Act
              const answer = await aggregateEvents(tenant, body, deps);
              // Assess
              expect(answer.status).toBe(200);
              expect((answer.body as { rows: unknown }).rows).toEqual(expected);
              rows += expected.length;
            }
          });
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(rows).toBeGreaterThan(RUNS);
  });

  it('a lake in the previous layout (timestamps as text) answers the same, pages and aggregates', async () => {
    await fc.assert(
      fc.asyncProperty(
        worldArb,
        fc.tuple(fc.constantFrom(...TENANTS), searchRequestArb),
        fc.tuple(fc.constantFrom(...TENANTS), aggregateRequestArb),
        async (placed, [tenant, search], [aggTenant, aggregate]) => {
          // Prepare
          await inWorld(
            placed,
            async (events, deps) => {
              const body = requestBody(search);
              const expected = oracleSearch(events, tenant, parseSearchRequest(body).query);
              const aggBody = requestBody(aggregate);
              const expectedRows = oracleAggregate(events, aggTenant, parseAggregateRequest(aggBody));
              // Act
              const got = [];
              let cursor: string | null = null;
              do {
                const answer = await searchEvents(tenant, { ...body, cursor }, deps);
                const page = answer.body as SearchBody;
                got.push(...page.events);
                cursor = page.nextCursor;
              } while (cursor !== null);
              const rows = await aggregateEvents(aggTenant, aggBody, deps);
              // Assess
              expect(got).toEqual(expected);
              expect((rows.body as { rows: unknown }).rows).toEqual(expectedRows);
            },
            'legacy',
          );
        },
      ),
      { numRuns: Math.max(5, Math.round(RUNS / 3)), endOnFailure: true },
    );
  });
});
