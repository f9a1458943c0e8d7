/**
 * The Athena search engine with aws-sdk-client-mock: running -> succeeded, failed, cancelled by
 * the workgroup's scan cutoff, throttled; paging through the same execution's NextToken via the
 * signed cursor; 202 past the wait budget then GET; workgroup pool and result reuse rules.
 */

import {
  AthenaClient,
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  type QueryExecutionState,
  StartQueryExecutionCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-athena';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { parseAggregateRequest, parseSearchRequest } from '../../shared/query/request.js';
import { OUTPUT_COLUMNS } from '../../shared/query/sql.js';
import 'aws-sdk-client-mock-jest';
import {
  aggregateEvents,
  getQuery,
  type SearchBody,
  type SearchCoreDeps,
  searchEvents,
} from '../../functions/search/core.js';
import { createSearchHandler } from '../../functions/search/create-handler.js';
import { AthenaQueryFailedError, AthenaRunner } from '../../shared/adapters/aws/athena-runner.js';
import { AthenaSearchEngine } from '../../shared/adapters/aws/athena-search-engine.js';
import { shardOf } from '../../shared/domain/layout.js';
import { InMemoryConcurrencyLimiter, InMemoryQueryRegistry } from '../../shared/query/memory.js';
import { httpEvent, keySource, lambdaContext, token } from './helpers.js';

const athena = mockClient(AthenaClient);
afterEach(() => {
  athena.reset();
});

const NOW = Date.parse('2026-11-24T06:00:00Z');
const POOL = ['oplake-search-0', 'oplake-search-1', 'oplake-search-2'];
/** The columns the search SQL selects, as Athena's result header names them. */
const COLUMNS = [...OUTPUT_COLUMNS];

function setup(options: { waitBudgetMs?: number; overrides?: Record<string, string> } = {}) {
  let clock = NOW;
  const client = new AthenaClient({ region: 'ap-northeast-1' });
  const runner = new AthenaRunner(client, {
    sleep: async () => undefined,
    throttleRetries: 1,
    throttleBaseMs: 1,
  });
  const engine = new AthenaSearchEngine(client, runner, {
    database: 'oplake_lake',
    workgroups: POOL,
    overrides: options.overrides ?? {},
    pollMs: 500,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
  });
  const deps: SearchCoreDeps = {
    engine,
    limiter: new InMemoryConcurrencyLimiter({ maxConcurrent: 2, leaseMs: 600_000 }),
    registry: new InMemoryQueryRegistry({ now: () => new Date(clock) }),
    keys: keySource,
    clock: { now: () => new Date(clock) },
    waitBudgetMs: options.waitBudgetMs ?? 10_000,
    queryTtlMs: 3_600_000,
  };
  return { engine, deps };
}

function execution(State: QueryExecutionState, reason?: string): GetQueryExecutionCommandOutput {
  return {
    $metadata: {},
    QueryExecution: {
      QueryExecutionId: 'q-1',
      Status: { State, ...(reason ? { StateChangeReason: reason } : {}) },
      Statistics: { DataScannedInBytes: 4096 },
    },
  };
}

function row(id: string): { Data: { VarCharValue?: string }[] } {
  const values: (string | undefined)[] = [
    id,
    'app',
    `2026-11-20T01:00:0${id.slice(-1)}.000Z`,
    'pc-001',
    'yamada',
    'PC-001',
    'excel.exe',
    'budget',
    undefined,
    undefined,
    undefined,
    undefined,
    '1000',
    '{"k":1}',
  ];
  return { Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) };
}

function results(
  ids: string[],
  options: { header?: boolean; nextToken?: string; columns?: string[] } = {},
): GetQueryResultsCommandOutput {
  const columns = options.columns ?? COLUMNS;
  const header = { Data: columns.map((c) => ({ VarCharValue: c })) };
  return {
    $metadata: {},
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: columns.map((Name) => ({ Name, Type: 'varchar' })) },
      Rows: [...(options.header ? [header] : []), ...ids.map(row)],
    },
    ...(options.nextToken ? { NextToken: options.nextToken } : {}),
  };
}

const RANGE = { from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z' };

describe('AthenaSearchEngine', () => {
  it('runs running -> succeeded in the tenant workgroup with parameters, then pages the same execution', async () => {
    // Prepare
    const { deps } = setup();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('QUEUED'))
      .resolvesOnce(execution('RUNNING'))
      .resolves(execution('SUCCEEDED'));
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: undefined })
      .resolves(results(['e-1', 'e-2'], { header: true, nextToken: 'tok-2' }));
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: 'tok-2' })
      .resolves(results(['e-3']));
    // Act
    const first = await searchEvents(
      'acme-corp',
      { ...RANGE, limit: 2, filters: { user: "x' OR 1=1 --" } },
      deps,
    );
    const cursor = (first.body as SearchBody).nextCursor;
    const second = await searchEvents(
      'acme-corp',
      { ...RANGE, limit: 2, filters: { user: "x' OR 1=1 --" }, cursor },
      deps,
    );
    // Assess
    expect(first.status).toBe(200);
    const page1 = first.body as SearchBody;
    expect(page1.events.map((e) => e.eventId)).toEqual(['e-1', 'e-2']);
    expect(page1.events[0]).toMatchObject({ durationMs: 1000, attrs: { k: 1 }, url: null, user: 'yamada' });
    expect(page1.stats).toEqual({ scannedBytes: 4096, engine: 'athena', queryId: 'q-1' });
    expect((second.body as SearchBody).events.map((e) => e.eventId)).toEqual(['e-3']);
    expect((second.body as SearchBody).nextCursor).toBeNull();
    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 1);
    expect(athena).toHaveReceivedCommandWith(GetQueryResultsCommand, {
      QueryExecutionId: 'q-1',
      NextToken: 'tok-2',
      MaxResults: 2,
    });
    expect(athena).toHaveReceivedCommandWith(GetQueryResultsCommand, {
      QueryExecutionId: 'q-1',
      MaxResults: 3,
    });
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(start?.WorkGroup).toBe(POOL[shardOf('acme-corp', POOL.length)]);
    expect(start?.QueryString).toContain("tenant_id = 'acme-corp'");
    expect(start?.QueryString).not.toContain('OR 1=1');
    // The tenant is in the text (result reuse), not among the parameters; the filter values are.
    expect(start?.ExecutionParameters).not.toContain("'acme-corp'");
    expect(start?.ExecutionParameters).toContain("'x'' OR 1=1 --'");
    // A range that ends before today may reuse results.
    expect(start?.ResultReuseConfiguration?.ResultReuseByAgeConfiguration).toEqual({
      Enabled: true,
      MaxAgeInMinutes: 15,
    });
  });

  it('does not reuse results for a range that reaches today, and honours workgroup overrides', async () => {
    const { deps } = setup({ overrides: { 'acme-corp': 'oplake-search-heavy' } });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(results([], { header: true }));
    await searchEvents('acme-corp', { from: '2026-11-23T00:00:00Z', to: '2026-11-24T12:00:00Z' }, deps);
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(start?.WorkGroup).toBe('oplake-search-heavy');
    expect(start?.ResultReuseConfiguration).toBeUndefined();
  });

  it('answers 202 past the wait budget; GET answers 202, then 200, and 404 to another tenant', async () => {
    // Prepare
    // Athena reports RUNNING until the test says it finished: no race with the poll interval.
    const { deps } = setup({ waitBudgetMs: 300 });
    let finished = false;
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .callsFake(() => (finished ? execution('SUCCEEDED') : execution('RUNNING')));
    athena.on(GetQueryResultsCommand).resolves(results(['e-1'], { header: true }));
    // Act
    const started = await searchEvents('acme-corp', RANGE, deps);
    const stranger = getQuery('beta-inc', 'q-1', deps);
    const stillRunning = await getQuery('acme-corp', 'q-1', { ...deps, waitBudgetMs: 0 });
    finished = true;
    const done = await getQuery('acme-corp', 'q-1', deps);
    // Assess
    expect(started).toEqual({ status: 202, body: { queryId: 'q-1', status: 'running' } });
    await expect(stranger).rejects.toMatchObject({ status: 404, code: 'not_found' });
    expect(stillRunning.status).toBe(202);
    expect(done.status).toBe(200);
    expect((done.body as SearchBody).events.map((e) => e.eventId)).toEqual(['e-1']);
  });

  it('turns a query cancelled by the scan cutoff into 422 scan_limit_exceeded', async () => {
    const { deps } = setup();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolves(execution('CANCELLED', 'Query cancelled: the bytes scanned limit was exceeded'));
    await expect(searchEvents('acme-corp', RANGE, deps)).rejects.toMatchObject({
      status: 422,
      code: 'scan_limit_exceeded',
      message: expect.stringMatching(/narrow/),
    });
  });

  it('reports a failed query as a fault (500 at the edge), and frees the slot', async () => {
    const { deps } = setup();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('FAILED', 'HIVE_BAD_DATA'));
    for (let i = 0; i < 3; i++) {
      await expect(searchEvents('acme-corp', RANGE, deps)).rejects.toBeInstanceOf(AthenaQueryFailedError);
    }
  });

  it('answers 500 internal at the HTTP edge for a failed query, 422 for a cut-off one', async () => {
    // Prepare
    const { deps } = setup();
    const handler = createSearchHandler(deps);
    const event = httpEvent('POST', '/v1/search', { token: await token('acme-corp'), body: RANGE });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('FAILED', 'HIVE_BAD_DATA'))
      .resolves(execution('CANCELLED', 'Bytes scanned limit was exceeded'));
    const silence = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    // Act
    const failed = await handler(event, lambdaContext);
    const cut = await handler(event, lambdaContext);
    silence.mockRestore();
    // Assess
    expect(failed.statusCode).toBe(500);
    expect(JSON.parse(String(failed.body))).toMatchObject({ error: { code: 'internal' } });
    expect(cut.statusCode).toBe(422);
    expect(JSON.parse(String(cut.body))).toMatchObject({ error: { code: 'scan_limit_exceeded' } });
  });

  it('turns Athena throttling into 429 too_many_queries with Retry-After', async () => {
    const { deps } = setup();
    athena
      .on(StartQueryExecutionCommand)
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(searchEvents('acme-corp', RANGE, deps)).rejects.toMatchObject({
      status: 429,
      code: 'too_many_queries',
      retryAfterSeconds: 5,
    });
  });

  it('aggregates through every result page', async () => {
    const { deps } = setup();
    const cols = ['group_key', 'event_count', 'duration_ms_total'];
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    const page = (
      rows: (string | undefined)[][],
      header: boolean,
      NextToken?: string,
    ): GetQueryResultsCommandOutput => ({
      $metadata: {},
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: cols.map((Name) => ({ Name, Type: 'varchar' })) },
        Rows: [
          ...(header ? [{ Data: cols.map((c) => ({ VarCharValue: c })) }] : []),
          ...rows.map((r) => ({ Data: r.map((v) => (v === undefined ? {} : { VarCharValue: v })) })),
        ],
      },
      ...(NextToken ? { NextToken } : {}),
    });
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce(page([['excel.exe', '120', '7200000']], true, 't2'))
      .resolves(page([[undefined, '3', '0']], false));
    const answer = await aggregateEvents('acme-corp', { ...RANGE, groupBy: 'app' }, deps);
    expect(answer.body).toEqual({
      rows: [
        { key: 'excel.exe', count: 120, durationMs: 7200000 },
        { key: null, count: 3, durationMs: 0 },
      ],
      stats: { scannedBytes: 4096, engine: 'athena', queryId: 'q-1' },
    });
  });
});

describe('AthenaSearchEngine: result reuse never spans tenants', () => {
  /** The QueryString of every StartQueryExecution for one question asked by each tenant's token. */
  async function queryStrings(route: '/v1/search' | '/v1/aggregate', body: object): Promise<string[]> {
    const { deps } = setup();
    const handler = createSearchHandler(deps);
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(results([], { header: true }));
    for (const tenant of ['acme-corp', 'beta-inc']) {
      const answer = await handler(
        httpEvent('POST', route, { token: await token(tenant), body }),
        lambdaContext,
      );
      expect(answer.statusCode).toBe(200);
    }
    return athena
      .commandCalls(StartQueryExecutionCommand)
      .map((call) => call.args[0].input.QueryString ?? '');
  }

  it.each([
    ['/v1/search', { ...RANGE, filters: { user: 'yamada' } }],
    ['/v1/aggregate', { ...RANGE, groupBy: 'app' }],
  ] as const)(
    "%s: the same question of two tenants is two query strings, each naming its token's tenant",
    async (route, body) => {
      // Act
      const [acme, beta] = await queryStrings(route, body);
      // Assess: reuse matches on the query string, so the strings must differ by the tenant.
      expect(acme).not.toEqual(beta);
      for (const [sql, tenant] of [
        [acme, 'acme-corp'],
        [beta, 'beta-inc'],
      ] as const) {
        const literals = [...(sql ?? '').matchAll(/tenant_id = '([^']*)'/g)].map((m) => m[1]);
        expect(literals.length).toBeGreaterThan(0);
        expect(new Set(literals)).toEqual(new Set([tenant]));
        expect(sql).not.toContain('tenant_id = ?');
      }
      // The reuse itself stays on for a closed range.
      const starts = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
      for (const start of starts)
        expect(start.ResultReuseConfiguration?.ResultReuseByAgeConfiguration?.Enabled).toBe(true);
    },
  );

  it('refuses a tenant id outside the pattern before any SQL is built or sent', async () => {
    const { engine } = setup();
    for (const bad of ["acme' OR 'x'='x", 'Acme-Corp', 'ab', `a${'b'.repeat(63)}`, '-acme', 'acme\u0000']) {
      await expect(engine.search(bad, parseSearchRequest(RANGE).query, null, 1000)).rejects.toBeInstanceOf(
        RangeError,
      );
      await expect(
        engine.aggregate(bad, parseAggregateRequest({ ...RANGE, groupBy: 'app' }), 1000),
      ).rejects.toBeInstanceOf(RangeError);
    }
    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 0);
  });
});

describe('AthenaSearchEngine: tenants named like Object.prototype members', () => {
  it('gives the tenant "constructor" (a valid tenant id) its pool workgroup, not Object', async () => {
    // Prepare
    const { deps, engine } = setup();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(results([], { header: true }));
    // Act
    const answer = await searchEvents('constructor', RANGE, deps);
    // Assess
    expect(answer.status).toBe(200);
    expect(engine.workgroupOf('constructor')).toBe(POOL[shardOf('constructor', POOL.length)]);
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(start?.WorkGroup).toBe(POOL[shardOf('constructor', POOL.length)]);
  });
});
