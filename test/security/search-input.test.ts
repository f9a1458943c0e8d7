/**
 * Hostile search input (docs/security.md T5, I3): SQL-looking, regex- and LIKE-looking,
 * Unicode-confusable and oversize filter values match literally or answer 400; no query reads
 * another tenant's partition, asserted on the files the local engine picks and on the parameters
 * of the SQL built for both engines (and on the one value the text holds: the validated tenant).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DuckDbSearchEngine } from '../../shared/adapters/local/duckdb-search-engine.js';
import { buildCleanFloorSql } from '../../shared/query/clean-floor.js';
import { parseAggregateRequest, parseSearchRequest } from '../../shared/query/request.js';
import { athenaSources, buildAggregateSql, buildSearchSql, type SqlParam } from '../../shared/query/sql.js';
import { errorCode, type SecurityKit, securityKit } from './kit.js';

const RANGE = { from: '2026-11-24T00:00:00Z', to: '2026-11-25T00:00:00Z' };

const HOSTILE = [
  "' OR 1=1 --",
  "yamada' OR '1'='1",
  "'; DROP TABLE events; --",
  '" OR ""="',
  "x' UNION SELECT * FROM read_text('/etc/passwd') --",
  "acme-corp' OR tenant_id <> 'x",
  '%',
  '_',
  '%yamada%',
  '\\',
  '\\%',
  '.*',
  '^yamada$',
  '[a-z]+',
  '(?i)YAMADA',
  '$1',
  'yаmada', // Cyrillic а
  'ｙａｍａｄａ', // full-width
  'yamada\u200b', // zero-width space
  'YAMADA',
  'ya\u0000mada',
  '😀',
  '{"$ne": null}',
];

describe('search input', () => {
  let kit: SecurityKit;
  let search: string;
  beforeAll(async () => {
    kit = await securityKit();
    search = await kit.token('acme-corp', 'search');
    const ingest = await kit.token('acme-corp', 'ingest', 'pc-1');
    const users = ['yamada', ...HOSTILE];
    const events = users.map((user, i) => ({
      eventId: `s-${i}`,
      type: 'app',
      ts: `2026-11-24T01:00:${String(i).padStart(2, '0')}Z`,
      user,
      app: 'excel.exe',
      title: `title of ${user}`,
    }));
    const answer = await kit.request('POST', '/v1/events', {
      token: ingest,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ batchId: 'b-search', events }),
    });
    expect(answer.json).toMatchObject({ accepted: users.length, rejected: 0 });
    // Another tenant whose partition shares a prefix with this one's name.
    const neighbour = await kit.token('acme-co', 'ingest', 'pc-1');
    await kit.request('POST', '/v1/events', {
      token: neighbour,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        batchId: 'b-n',
        events: [
          { eventId: 'n-1', type: 'app', ts: '2026-11-24T02:00:00Z', user: 'yamada', app: 'excel.exe' },
        ],
      }),
    });
    await kit.runtime.flush();
    // Converted to Parquet by the nightly: the searches below read the converted files.
    const converted = await kit.request('POST', '/v1/admin/nightly', {
      token: await kit.token(null, 'admin'),
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(converted.status).toBe(200);
  });
  afterAll(async () => {
    await kit.close();
  });

  async function find(filters: Record<string, string>): Promise<{
    status: number;
    events: { user: string; title: string; eventId: string }[];
    code: string | null;
  }> {
    const answer = await kit.request('POST', '/v1/search', {
      token: search,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...RANGE, filters, limit: 1000 }),
    });
    return {
      status: answer.status,
      events:
        answer.status === 200
          ? (answer.json as { events: { user: string; title: string; eventId: string }[] }).events
          : [],
      code: errorCode(answer.json),
    };
  }

  it.each(HOSTILE)('matches the user filter %j literally', async (value) => {
    const found = await find({ user: value });
    expect(found.status).toBe(200);
    expect(found.events.map((e) => e.user)).toEqual([value]);
  });

  it.each(HOSTILE)('matches the text filter %j as a case-insensitive substring only', async (value) => {
    const found = await find({ text: value });
    expect(found.status).toBe(200);
    expect(found.events.length).toBeGreaterThanOrEqual(1);
    for (const event of found.events) expect(`${event.title}`.toLowerCase()).toContain(value.toLowerCase());
  });

  it('answers 400 to oversize, empty and non-string filter values', async () => {
    for (const filters of [
      { user: 'x'.repeat(257) },
      { text: '' },
      { user: ['yamada'] },
      { app: { $ne: null } },
    ] as const) {
      const answer = await kit.request('POST', '/v1/search', {
        token: search,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...RANGE, filters }),
      });
      expect([answer.status, errorCode(answer.json)]).toEqual([400, 'invalid_request']);
    }
  });

  it("reads only the tenant's own files, even when another tenant's name is a prefix of it", async () => {
    const engine = new DuckDbSearchEngine({
      lakeRoot: join(kit.dataDir, 'lake'),
      scanCutoffBytes: 1024 ** 3,
    });
    try {
      for (const tenant of ['acme-co', 'acme-corp']) {
        const files = await engine.selectFiles(tenant, parseSearchRequest(RANGE).query);
        const all = [...files.raw, ...files.contested, ...files.legacy, ...files.clean];
        expect(all.length).toBeGreaterThan(0);
        for (const file of all) expect(file).toContain(`/tenant_id=${tenant}/`);
      }
    } finally {
      await engine.close();
    }
    const theirs = await find({ user: 'yamada' });
    expect(theirs.events.map((e) => e.eventId)).toEqual(['s-0']);
  });

  it('passes the tenant and every filter value as parameters, never in the SQL text, on both engines', () => {
    const flat = (params: SqlParam[]) => params.flatMap((p) => (typeof p === 'string' ? [p] : [...p]));
    for (const value of HOSTILE.filter((v) => v.length >= 2)) {
      const filters = { user: value, host: value, app: value, deviceId: 'pc-1', text: value, domain: value };
      const search = parseSearchRequest({ ...RANGE, filters }).query;
      const aggregate = parseAggregateRequest({ ...RANGE, filters, groupBy: 'user' });
      const duckSources = {
        contested: null,
        legacy: null,
        clean: null,
        raw: { sql: 'read_json(?)', params: [['/lake/raw/tenant_id=acme-corp/x.json.gz']] },
      };
      const built = [
        buildSearchSql({
          dialect: 'athena',
          sources: athenaSources('oplake'),
          tenantId: 'acme-corp',
          query: search,
        }),
        buildSearchSql({ dialect: 'duckdb', sources: duckSources, tenantId: 'acme-corp', query: search }),
        buildAggregateSql({
          dialect: 'athena',
          sources: athenaSources('oplake'),
          tenantId: 'acme-corp',
          query: aggregate,
        }),
        buildAggregateSql({
          dialect: 'duckdb',
          sources: duckSources,
          tenantId: 'acme-corp',
          query: aggregate,
        }),
      ];
      for (const { sql, params } of built) {
        expect(sql).not.toContain(value);
        // The tenant is the one value in the text (result reuse, docs/security.md I6): only ever
        // as the validated literal of a tenant_id predicate.
        expect(sql.split('acme-corp').length - 1).toBe(sql.split("tenant_id = 'acme-corp'").length - 1);
        expect(flat(params)).not.toContain('acme-corp');
        expect(flat(params).some((p) => p.includes(value) || p.includes(value.toLowerCase()))).toBe(true);
      }
    }
  });

  it('refuses a tenant id outside the contract pattern before building any SQL, on both engines', () => {
    const search = parseSearchRequest(RANGE).query;
    const aggregate = parseAggregateRequest({ ...RANGE, groupBy: 'user' });
    const duckSources = {
      contested: null,
      legacy: null,
      raw: null,
      clean: { sql: 'read_parquet(?)', params: [['x']] },
    };
    for (const tenantId of [...HOSTILE, 'ACME', 'ab', '-acme', `a${'b'.repeat(63)}`, '']) {
      for (const dialect of ['athena', 'duckdb'] as const) {
        const sources = dialect === 'athena' ? athenaSources('oplake') : duckSources;
        expect(() => buildSearchSql({ dialect, sources, tenantId, query: search })).toThrow(RangeError);
        expect(() => buildAggregateSql({ dialect, sources, tenantId, query: aggregate })).toThrow(RangeError);
      }
      expect(() =>
        buildCleanFloorSql({ clean: { ...duckSources.clean, scoped: true }, tenantId, query: search }),
      ).toThrow(RangeError);
    }
  });
});
