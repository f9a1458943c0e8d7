/**
 * search: typical administrator queries on one tenant of a 20-tenant x 1-year lake (converted
 * Parquet plus the last two days raw, with late resends), against the same queries over the
 * same events never converted (all raw gzip JSON), in the same run. Reports queries/s and the
 * bytes of files each query touches.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregateLocal, closeLocalEngines, searchLocal } from '../../functions/search/local.js';
import { generateDataset } from '../fixtures/search-lake.js';
import { type CaseResult, compare } from './harness.js';

const TENANTS = 20;
const DAYS = 365;
const PER_DAY = 150;
const LAST = '2026-11-23';
const TENANT = 'tenant-07';

const day = (offset: number) =>
  new Date(Date.parse(`${LAST}T00:00:00Z`) - offset * 86_400_000).toISOString().slice(0, 10);
const range = (days: number) => ({ from: `${day(days - 1)}T00:00:00Z`, to: `${day(-1)}T00:00:00Z` });

const QUERIES: Array<{ name: string; kind: 'search' | 'aggregate'; body: Record<string, unknown> }> = [
  { name: 'search 1 day, limit 100', kind: 'search', body: { ...range(1), limit: 100 } },
  { name: 'search 7 days, user', kind: 'search', body: { ...range(7), filters: { user: 'user007' } } },
  {
    name: 'search 30 days, text, desc',
    kind: 'search',
    body: { ...range(30), filters: { text: 'budget' }, order: 'desc' },
  },
  {
    name: 'search 1 year, domain',
    kind: 'search',
    body: { ...range(365), filters: { domain: 'example.co.jp' } },
  },
  {
    name: 'aggregate 30 days by app',
    kind: 'aggregate',
    body: { ...range(30), groupBy: 'app', metric: 'durationMs' },
  },
  { name: 'aggregate 1 year by day', kind: 'aggregate', body: { ...range(365), groupBy: 'day' } },
];

export async function run(progress: (message: string) => void): Promise<CaseResult[]> {
  const work = await mkdtemp(join(tmpdir(), 'oplake-bench-search-'));
  try {
    const mixed = join(work, 'mixed');
    const raw = join(work, 'raw');
    progress(`search: generating ${TENANTS} tenants x ${DAYS} days x ${PER_DAY} events (converted lake)`);
    const summary = await generateDataset({
      lakeRoot: mixed,
      tenants: TENANTS,
      days: DAYS,
      eventsPerTenantDay: PER_DAY,
      lastDay: LAST,
      rawDays: 2,
    });
    progress('search: generating the same events never converted (all raw)');
    await generateDataset({
      lakeRoot: raw,
      tenants: TENANTS,
      days: DAYS,
      eventsPerTenantDay: PER_DAY,
      lastDay: LAST,
      rawDays: DAYS,
    });
    const runOn = (lakeRoot: string, query: (typeof QUERIES)[number]) => async () => {
      const result =
        query.kind === 'search'
          ? await searchLocal(lakeRoot, TENANT, query.body)
          : await aggregateLocal(lakeRoot, TENANT, query.body);
      const rows = 'events' in result ? result.events.length : result.rows.length;
      return { units: 1, extra: { bytesTouched: result.stats.scannedBytes, rows } };
    };
    const results: CaseResult[] = [];
    for (const query of QUERIES) {
      results.push(
        await compare({
          bench: `search (${summary.events.toLocaleString('en-US')} events)`,
          name: query.name,
          unit: 'queries',
          rounds: 5,
          progress,
          candidate: runOn(mixed, query),
          baselineName: 'same query, all raw JSON',
          baseline: runOn(raw, query),
        }),
      );
    }
    return results;
  } finally {
    await closeLocalEngines();
    await rm(work, { recursive: true, force: true });
  }
}
