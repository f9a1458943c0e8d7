/**
 * The contested side of the plan (shared/query/contested-sql.ts `dedup`), over real files and DuckDB:
 *   - only the events with a copy that matches a user/title/... filter are ranked (DuckDB), and
 *     the winning copy still judges: a losing copy that matches brings nothing back, a winner
 *     that matches comes back once, in every page;
 *   - the keyset goes before the dedup (copies share ts and key), so paging through a day whose
 *     copies disagree answers every event once;
 *   - contested rows read the query's and the dedup's columns, and scannedBytes counts what DuckDB read;
 *   - the day folders are listed once, only the days in range (lake-days.ts).
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aggregateEvents, type SearchBody, searchEvents } from '../../functions/search/core.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { listDays } from '../../shared/adapters/local/lake-days.js';
import type { StoredEvent } from '../../shared/domain/event.js';
import { partitionPrefix } from '../../shared/domain/layout.js';
import { parseAggregateRequest, parseSearchRequest } from '../../shared/query/request.js';
import { athenaSources, buildAggregateSql, buildSearchSql, type Sources } from '../../shared/query/sql.js';
import { makeEvent, rng } from '../fixtures/raw-lake.js';
import { type PlacedEvent, writeLake } from '../fixtures/search-lake.js';
import { localDeps, tempLake } from './helpers.js';

const T = 'acme-corp';
const DAY = '2026-11-23';
const RANGE = { from: `${DAY}T00:00:00Z`, to: '2026-11-24T00:00:00Z' };
const random = rng(11);

/** An event and a later copy of it that disagrees on user, title and app. */
function disagreeing(id: string, ts: string): { winner: StoredEvent; loser: StoredEvent } {
  const winner = {
    ...makeEvent(random, T, DAY, id, 'b-1', `${DAY}T12:00:00.000Z`),
    ts,
    device_id: 'dev-1',
    user: 'winner',
    title: 'quarterly budget',
    app: 'excel.exe',
  };
  return {
    winner,
    loser: {
      ...winner,
      user: 'loser',
      title: 'holiday photos',
      app: 'photos.exe',
      batch_id: 'b-2',
      received_at: `${DAY}T13:00:00.000Z`,
    },
  };
}

describe('the contested side of the plan', () => {
  let lake: { root: string; cleanup: () => Promise<void> };
  const copies = Array.from({ length: 6 }, (_, i) => disagreeing(`e-${i}`, `${DAY}T0${i}:00:00.000Z`));
  // Three of them in the day's Parquet with their losing copy in raw/; three only in raw/,
  // both copies; plus events with no copy, on both sides.
  const placed: PlacedEvent[] = [
    ...copies.slice(0, 3).flatMap((c) => [
      { area: 'parquet' as const, event: c.winner },
      { area: 'raw' as const, event: c.loser },
    ]),
    ...copies.slice(3).flatMap((c) => [
      { area: 'raw' as const, event: c.loser },
      { area: 'raw' as const, event: c.winner },
    ]),
    ...Array.from({ length: 8 }, (_, i) => ({
      area: (i % 2 === 0 ? 'raw' : 'parquet') as 'raw' | 'parquet',
      event: { ...makeEvent(random, T, DAY, `single-${i}`, 'b-3', `${DAY}T14:00:00.000Z`), user: 'winner' },
    })),
  ];

  beforeAll(async () => {
    lake = await tempLake();
    await writeLake(lake.root, placed);
  });
  afterAll(async () => {
    await lake.cleanup();
  });

  async function everyPage(body: Record<string, unknown>, limit: number) {
    const deps = localDeps(lake.root);
    try {
      const ids: string[] = [];
      const titles: string[] = [];
      let cursor: string | null = null;
      do {
        const page = (await searchEvents(T, { ...RANGE, ...body, limit, cursor }, deps)).body as SearchBody;
        ids.push(...page.events.map((e) => e.eventId));
        titles.push(...page.events.map((e) => String(e.title)));
        cursor = page.nextCursor;
      } while (cursor !== null);
      return { ids, titles };
    } finally {
      await deps.engine.close();
    }
  }

  it('judges the winning copy: a losing copy that matches brings nothing back', async () => {
    expect((await everyPage({ filters: { user: 'loser' } }, 3)).ids).toEqual([]);
    expect((await everyPage({ filters: { text: 'holiday' } }, 3)).ids).toEqual([]);
    expect((await everyPage({ filters: { app: 'photos.exe' } }, 3)).ids).toEqual([]);
    const budget = await everyPage({ filters: { text: 'budget' } }, 2);
    expect(budget.ids).toEqual(['e-5', 'e-4', 'e-3', 'e-2', 'e-1', 'e-0']);
    expect(new Set(budget.titles)).toEqual(new Set(['quarterly budget']));
  });

  it('pages through the copies with the keyset before the dedup: every event once, in order', async () => {
    const all = await everyPage({}, 1);
    expect(all.ids).toHaveLength(14);
    expect(new Set(all.ids).size).toBe(14);
    const byUser = await everyPage({ filters: { user: 'winner' }, order: 'asc' }, 4);
    expect(byUser.ids).toHaveLength(14);
    expect(byUser.ids.slice(0, 6)).toEqual(['e-0', 'e-1', 'e-2', 'e-3', 'e-4', 'e-5']);
  });

  it('aggregates the winners only', async () => {
    const deps = localDeps(lake.root);
    try {
      const byUser = await aggregateEvents(T, { ...RANGE, groupBy: 'user' }, deps);
      expect((byUser.body as { rows: unknown[] }).rows).toEqual([
        { key: 'winner', count: 14, durationMs: expect.any(Number) },
      ]);
      const apps = await aggregateEvents(
        T,
        { ...RANGE, groupBy: 'app', filters: { app: 'photos.exe' } },
        deps,
      );
      expect((apps.body as { rows: unknown[] }).rows).toEqual([]);
    } finally {
      await deps.engine.close();
    }
  });

  it('counts what it reads of a contested day: the raw object whole, less of the Parquet for an aggregate', async () => {
    const deps = localDeps(lake.root);
    try {
      const files = await deps.engine.selectFiles(T, parseSearchRequest(RANGE).query);
      // The day's Parquet is one run's file beside raw/: its rows are unique (split by raw keys).
      expect([files.raw.length, files.besideRaw.length, files.contested.length, files.clean.length]).toEqual([
        1, 1, 0, 0,
      ]);
      const rawBytes = (await stat(files.raw[0] ?? '')).size;
      const search = (await searchEvents(T, RANGE, deps)).body as SearchBody;
      const aggregate = (await aggregateEvents(T, { ...RANGE, groupBy: 'app' }, deps)).body as SearchBody;
      // Both read the raw gzip object whole. Of the Parquet the search reads every column chunk
      // (its answer's and the dedup's), the aggregate a few; on a file this small its footer
      // (read when the statement binds and again when it scans) is much of either figure.
      expect(files.gzipBytes).toBe(rawBytes);
      expect(search.stats.scannedBytes).toBeGreaterThan(rawBytes);
      expect(aggregate.stats.scannedBytes).toBeGreaterThan(rawBytes);
      expect(aggregate.stats.scannedBytes).toBeLessThan(search.stats.scannedBytes);
    } finally {
      await deps.engine.close();
    }
  });
});

describe('the Parquet beside raw/: only rows that share (device_id, ts) with a raw row are ranked', () => {
  let lake: { root: string; cleanup: () => Promise<void> };
  const at = (hh: string) => `${DAY}T${hh}:00:00.000Z`;
  const base = (id: string, ts: string, device: string, received: string) => ({
    ...makeEvent(random, T, DAY, id, 'b-1', received),
    ts,
    device_id: device,
    user: 'u',
  });
  // Parquet loses to an earlier raw copy that disagrees on user (the raw copy is judged).
  const late = { ...base('late', at('05'), 'dev-1', at('09')), user: 'parquet-copy' };
  const early = { ...base('late', at('05'), 'dev-1', at('06')), user: 'raw-copy', batch_id: 'b-0' };
  const placed: PlacedEvent[] = [
    { area: 'parquet', event: late },
    { area: 'raw', event: early },
    // Same ts and device as a raw row, another event: both ranked, both answered.
    { area: 'parquet', event: base('twin-a', at('07'), 'dev-1', at('08')) },
    { area: 'raw', event: base('twin-b', at('07'), 'dev-1', at('08')) },
    // Same ts as a raw row on another device: answered straight from Parquet.
    { area: 'parquet', event: base('other-device', at('07'), 'dev-2', at('08')) },
    // No raw row at its ts: answered straight from Parquet.
    { area: 'parquet', event: base('alone', at('10'), 'dev-1', at('11')) },
  ];

  beforeAll(async () => {
    lake = await tempLake();
    await writeLake(lake.root, placed);
  });
  afterAll(async () => {
    await lake.cleanup();
  });

  it('answers each event once, its earliest copy judged, in every page size', async () => {
    const deps = localDeps(lake.root);
    try {
      const files = await deps.engine.selectFiles(T, parseSearchRequest(RANGE).query);
      expect([files.besideRaw.length, files.contested.length]).toEqual([1, 0]);
      // Small pages put the floor of the rows beside raw/ inside the day (besideFloor).
      const newestFirst = ['alone', 'twin-b', 'twin-a', 'other-device', 'late'];
      for (const [order, expected] of [
        ['desc', newestFirst],
        ['asc', [...newestFirst].reverse()],
      ] as const) {
        for (const limit of [1, 2, 10]) {
          const ids: string[] = [];
          const users: string[] = [];
          let cursor: string | null = null;
          do {
            const page = (await searchEvents(T, { ...RANGE, order, limit, cursor }, deps)).body as SearchBody;
            ids.push(...page.events.map((e) => e.eventId));
            users.push(...page.events.map((e) => String(e.user)));
            cursor = page.nextCursor;
          } while (cursor !== null);
          expect(ids).toEqual(expected);
          expect(users[ids.indexOf('late')]).toBe('raw-copy');
        }
      }
      const byUser = async (user: string) =>
        ((await searchEvents(T, { ...RANGE, filters: { user } }, deps)).body as SearchBody).events.map(
          (e) => e.eventId,
        );
      expect(await byUser('parquet-copy')).toEqual([]);
      expect(await byUser('raw-copy')).toEqual(['late']);
      const counts = await aggregateEvents(T, { ...RANGE, groupBy: 'user' }, deps);
      expect((counts.body as { rows: unknown[] }).rows).toEqual([
        { key: 'u', count: 4, durationMs: expect.any(Number) },
        { key: 'raw-copy', count: 1, durationMs: expect.any(Number) },
      ]);
    } finally {
      await deps.engine.close();
    }
  });
});

describe('the SQL of the contested side', () => {
  const duckdb: Sources = {
    raw: { sql: 'raw_src', params: [] },
    contested: { sql: 'contested_src', params: [] },
    legacy: null,
    clean: { sql: 'clean_src', params: [] },
  };
  const search = (filters: Record<string, string>, types?: string[]) =>
    parseSearchRequest({ ...RANGE, filters, ...(types ? { types } : {}) }).query;

  it('ranks only the events with a matching copy on DuckDB, when a filter judges the winner', () => {
    for (const query of [search({ user: 'u' }), search({ text: 'x' }), search({}, ['web'])]) {
      const { sql } = buildSearchSql({ dialect: 'duckdb', sources: duckdb, tenantId: T, query });
      expect(sql).toContain('contested AS MATERIALIZED (');
      expect(sql).toContain('(device_id, event_id) IN (SELECT device_id, event_id FROM contested WHERE');
    }
    // No such filter (or only deviceId, part of the key): every contested row is ranked once.
    for (const query of [search({}), search({ deviceId: 'd' })]) {
      const { sql } = buildSearchSql({ dialect: 'duckdb', sources: duckdb, tenantId: T, query });
      expect(sql).not.toContain('MATERIALIZED');
      expect(sql).not.toContain('IN (SELECT device_id, event_id');
    }
  });

  it("splits the Parquet beside raw/ by the raw rows' (device_id, ts), the raw rows read once", () => {
    const sources: Sources = { ...duckdb, besideRaw: { sql: 'beside_src', params: [] } };
    for (const query of [search({ user: 'u' }), search({})]) {
      const { sql } = buildSearchSql({ dialect: 'duckdb', sources, tenantId: T, query });
      expect(sql).toContain('raw_rows AS MATERIALIZED (SELECT');
      expect(sql.match(/FROM raw_src/g)).toHaveLength(1);
      expect(sql).toContain('FROM beside_src WHERE');
      expect(sql).toContain('(device_id, ts) IN (SELECT device_id, ts FROM raw_rows');
      expect(sql).toContain('coalesce((device_id, ts) NOT IN (SELECT device_id, ts FROM raw_rows');
      // The page's floor among them, never NULL.
      expect(sql).toContain('ts >= coalesce((SELECT min(ts) FROM (SELECT ts FROM beside_src WHERE');
      expect(sql).toContain("CAST('-infinity' AS TIMESTAMP))");
    }
    // Beside no raw object (cannot be selected so, but never lost): read like clean rows.
    const { sql } = buildSearchSql({
      dialect: 'duckdb',
      sources: { ...sources, raw: null, contested: null },
      tenantId: T,
      query: search({}),
    });
    expect(sql).toContain('FROM beside_src WHERE');
    expect(sql).not.toContain('raw_rows');
  });

  it('never on Athena, which would scan the raw objects twice', () => {
    const { sql } = buildSearchSql({
      dialect: 'athena',
      sources: athenaSources('oplake_lake'),
      tenantId: T,
      query: search({ user: 'u', text: 'x' }),
    });
    expect(sql).not.toContain('MATERIALIZED');
    expect(sql).not.toContain('IN (SELECT device_id, event_id');
  });

  it("reads of contested rows only the aggregate's and the dedup's columns", () => {
    const { sql } = buildAggregateSql({
      dialect: 'athena',
      sources: athenaSources('oplake_lake'),
      tenantId: T,
      query: parseAggregateRequest({ ...RANGE, groupBy: 'app', metric: 'durationMs' }),
    });
    const contested = /contested AS \((SELECT .*?) FROM "oplake_lake"\."raw_events"/.exec(sql)?.[1];
    expect(contested).toBe(
      'SELECT event_id, CAST(from_iso8601_timestamp(ts) AS timestamp(3)) AS ts, device_id, app, duration_ms, ' +
        'batch_id, CAST(from_iso8601_timestamp(received_at) AS timestamp(3)) AS received_at',
    );
  });
});

describe('listing the day folders of a query', () => {
  it('lists the objects of the days in range only, and nothing of empty or temporary files', async () => {
    const lake = await tempLake();
    try {
      const store = new FileObjectStore(lake.root);
      const prefix = partitionPrefix('raw', T);
      const put = async (dt: string, name: string) => {
        const dir = join(lake.root, partitionPrefix('raw', T, dt));
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, name), 'x');
      };
      await put('2026-11-20', 'a.json.gz');
      await put('2026-11-21', 'b.json.gz');
      await put('2026-11-21', 'a.json.gz');
      await put('2026-11-21', 'c.json.gz.1234.tmp');
      await put('2026-11-24', 'out-of-range.json.gz');
      await mkdir(join(lake.root, partitionPrefix('raw', T, '2026-11-22')), { recursive: true });
      await mkdir(join(lake.root, prefix, 'not-a-day'), { recursive: true });
      const days = await listDays(store, prefix, '2026-11-21', '2026-11-23');
      expect(days.map((d) => [d.dt, d.objects.map((o) => o.key.split('/').pop())])).toEqual([
        ['2026-11-21', ['a.json.gz', 'b.json.gz']],
        ['2026-11-22', []],
      ]);
      expect(
        await listDays(store, partitionPrefix('raw', 'no-such-tenant'), '2026-11-01', '2026-11-30'),
      ).toEqual([]);
    } finally {
      await lake.cleanup();
    }
  });
});
