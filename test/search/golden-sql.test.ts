/**
 * Golden Athena SQL for every query shape (search both orders with and without filters,
 * aggregate for every groupBy and metric). Each statement parses with node-sql-parser's trino
 * dialect, pins the tenant by equality with its literal (result reuse matches on the text) and the
 * days with BETWEEN, and carries every other value as a `?` parameter (no filter value appears in
 * the text). Regenerate after an intended change with
 * OPLAKE_UPDATE_GOLDEN=1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import sqlParser from 'node-sql-parser';
import { GROUP_BYS, parseAggregateRequest, parseSearchRequest } from '../../shared/query/request.js';
import { athenaSources, type BuiltQuery, buildAggregateSql, buildSearchSql } from '../../shared/query/sql.js';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const parser = new sqlParser.Parser();
const sources = athenaSources('oplake_lake');
const RANGE = { from: '2026-11-01T00:00:00+09:00', to: '2026-11-25T00:00:00+09:00' };
const FILTERS = {
  user: "yamada' OR 1=1 --",
  host: 'PC-001',
  deviceId: 'pc-001',
  app: 'Excel.exe',
  domain: 'example.co.jp',
  text: '100%_budget',
};

const shapes: [string, BuiltQuery][] = [
  [
    'search-asc-plain',
    buildSearchSql({
      dialect: 'athena',
      sources,
      tenantId: 'acme-corp',
      query: parseSearchRequest({ ...RANGE, order: 'asc' }).query,
    }),
  ],
  [
    'search-desc-all-filters',
    buildSearchSql({
      dialect: 'athena',
      sources,
      tenantId: 'acme-corp',
      query: parseSearchRequest({ ...RANGE, types: ['web', 'app'], filters: FILTERS, order: 'desc' }).query,
    }),
  ],
  ...GROUP_BYS.map((groupBy): [string, BuiltQuery] => [
    `aggregate-${groupBy}`,
    buildAggregateSql({
      dialect: 'athena',
      sources,
      tenantId: 'acme-corp',
      query: parseAggregateRequest({
        ...RANGE,
        groupBy,
        metric: groupBy === 'app' ? 'durationMs' : 'count',
        filters: { text: 'budget' },
      }),
    }),
  ]),
];

describe('Athena SQL during and after the layout upgrade', () => {
  const query = parseSearchRequest({ ...RANGE, filters: { user: 'yamada' } }).query;

  it('reads the previous layout as contested and sends its days through the dedup', () => {
    const { sql } = buildSearchSql({ dialect: 'athena', sources, tenantId: 'acme-corp', query });
    const tables = parser.tableList(sql, { database: 'trino' }).map((t) => t.split('::').pop());

    expect(new Set(tables)).toEqual(
      new Set([
        'raw_events',
        'events_v2',
        'events',
        'events_month',
        'month_days',
        'raw_days',
        'contested',
        'ranked',
      ]),
    );
    // its days join the raw days: new-layout rows of a day being rewritten are deduplicated
    expect(sql).toMatch(
      /raw_days AS \(SELECT DISTINCT dt FROM "oplake_lake"\."raw_events" .* UNION SELECT DISTINCT dt FROM "oplake_lake"\."events" /,
    );
  });

  it('reads only raw_events and events_v2 once the previous layout is configured off', () => {
    const after = athenaSources('oplake_lake', { raw: 'raw_events', events: 'events_v2', legacy: null });
    const built = buildSearchSql({ dialect: 'athena', sources: after, tenantId: 'acme-corp', query });

    expect(parser.astify(built.sql, { database: 'trino' })).toBeTruthy();
    expect(built.sql).not.toContain('"oplake_lake"."events" ');
    expect(built.sql).toContain('"oplake_lake"."events_v2"');
    expect(built.sql.split('?').length - 1).toBe(built.params.length);
    expect(() => athenaSources('oplake_lake', { raw: 'raw_events', events: 'x"; --', legacy: null })).toThrow(
      RangeError,
    );
  });
});

describe('Athena SQL over compacted months (events_month)', () => {
  const query = parseSearchRequest({ ...RANGE, filters: { user: 'yamada' } }).query;
  const { sql, params } = buildSearchSql({ dialect: 'athena', sources, tenantId: 'acme-corp', query });

  it('contests a day held twice: by two runs of month files, or by a day folder beside the month file', () => {
    expect(sql).toMatch(
      /month_days AS \(SELECT dt, count\(DISTINCT regexp_replace\("\$path", '-\[0-9\]\+\\\.parquet\$', ''\)\) AS runs FROM "oplake_lake"\."events_month" WHERE tenant_id = 'acme-corp' AND month BETWEEN \? AND \? AND dt BETWEEN \? AND \? GROUP BY dt\)/,
    );
    expect(sql).toContain('UNION SELECT dt FROM month_days WHERE runs > 1');
    expect(sql).toContain(
      'UNION SELECT DISTINCT dt FROM "oplake_lake"."events_v2" WHERE tenant_id = \'acme-corp\' AND dt BETWEEN ? AND ? AND dt IN (SELECT dt FROM month_days)',
    );
  });

  it("reads a month's contested days through the dedup and its other days as clean, filters pushed", () => {
    const contested = /contested AS \((.*)\), ranked AS/.exec(sql)?.[1] ?? '';
    expect(contested).toMatch(
      /FROM "oplake_lake"\."events_month" WHERE .* AND month BETWEEN \? AND \? AND dt IN \(SELECT dt FROM raw_days\)$/,
    );
    // Clean month rows go through `clean_rows` like the clean day rows: derived ids whole.
    expect(sql).toMatch(
      /\(SELECT coalesce\(event_id, concat\('p-', [^)]*.* FROM "oplake_lake"\."events_month" WHERE tenant_id = 'acme-corp' .* AND month BETWEEN \? AND \? AND dt NOT IN \(SELECT dt FROM raw_days\) AND "user" = \?\) AS clean_rows\)\) AS matched/,
    );
    expect(sql.split('?').length - 1).toBe(params.length);
  });

  it('leaves the month table out when it is configured off', () => {
    const off = athenaSources('oplake_lake', {
      raw: 'raw_events',
      events: 'events_v2',
      legacy: null,
      month: null,
    });
    const built = buildSearchSql({ dialect: 'athena', sources: off, tenantId: 'acme-corp', query });
    expect(built.sql).not.toContain('events_month');
    expect(built.sql).not.toContain('month_days');
    expect(() =>
      athenaSources('oplake_lake', { raw: 'raw_events', events: 'events_v2', legacy: null, month: 'm"; --' }),
    ).toThrow(RangeError);
  });
});

describe('golden Athena SQL', () => {
  it.each(shapes)('%s matches its golden file and parses as trino', (name, built) => {
    // Prepare
    const path = join(GOLDEN_DIR, `${name}.sql`);
    const text = `${built.sql}\n-- params: ${JSON.stringify(built.params)}\n`;
    if (process.env.OPLAKE_UPDATE_GOLDEN === '1') {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(path, text);
    }
    // Act
    const ast = parser.astify(built.sql, { database: 'trino' });
    // Assess
    expect(existsSync(path)).toBe(true);
    expect(text).toBe(readFileSync(path, 'utf8'));
    expect(ast).toBeTruthy();
    expect(built.sql.split('?').length - 1).toBe(built.params.length);
    // The tenant as a literal (result reuse matches on the text), never as a parameter.
    expect(built.sql).toContain("tenant_id = 'acme-corp'");
    expect(built.sql).not.toContain('tenant_id = ?');
    expect(built.params).not.toContain('acme-corp');
    expect(built.sql).toContain('dt BETWEEN ? AND ?');
    // month_days first: the months, the days of the range
    expect(built.params.slice(0, 4)).toEqual(['2026-10', '2026-11', '2026-10-31', '2026-11-24']);
    for (const value of Object.values(FILTERS)) expect(built.sql).not.toContain(value);
    expect(built.sql).not.toMatch(/2026-/);
  });

  it('pages Athena through results (no LIMIT) and DuckDB by keyset (limit + 1)', () => {
    const query = parseSearchRequest({ ...RANGE, limit: 50 }).query;
    const athena = buildSearchSql({ dialect: 'athena', sources, tenantId: 'acme-corp', query });
    const duck = buildSearchSql({
      dialect: 'duckdb',
      sources,
      tenantId: 'acme-corp',
      query,
      after: { ts: '2026-11-02T00:00:00.000Z', eventId: 'e-1', deviceId: 'pc-001' },
    });
    expect(athena.sql).not.toMatch(/LIMIT/);
    expect(duck.sql).toMatch(/LIMIT 51$/);
    expect(duck.params.slice(-5)).toEqual([
      '2026-11-02T00:00:00.000Z',
      '2026-11-02T00:00:00.000Z',
      'e-1',
      'e-1',
      'pc-001',
    ]);
  });
});
