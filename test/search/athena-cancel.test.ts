/**
 * DELETE /v1/search/{queryId} on Athena, with aws-sdk-client-mock: StopQueryExecution for a
 * QUEUED or RUNNING query (once, however often DELETE is called), the slot freed at once, GET
 * then 410 `query_cancelled`; a query that already ended answers its final state and is not
 * stopped; another tenant gets 404 and Athena is not called; throttling is 429.
 */

import {
  AthenaClient,
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  GetQueryResultsCommand,
  InvalidRequestException,
  type QueryExecutionState,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-athena';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { cancelQuery, getQuery, type SearchCoreDeps, searchEvents } from '../../functions/search/core.js';
import { createSearchHandler } from '../../functions/search/create-handler.js';
import { AthenaRunner } from '../../shared/adapters/aws/athena-runner.js';
import { AthenaSearchEngine } from '../../shared/adapters/aws/athena-search-engine.js';
import { InMemoryConcurrencyLimiter, InMemoryQueryRegistry } from '../../shared/query/memory.js';
import { OUTPUT_COLUMNS } from '../../shared/query/sql.js';
import { httpEvent, keySource, lambdaContext, token } from './helpers.js';

const athena = mockClient(AthenaClient);
afterEach(() => {
  athena.reset();
});

const RANGE = { from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z' };

/** One slot per tenant and no wait: every query answers 202 and holds the tenant's only slot. */
function setup(): SearchCoreDeps {
  const client = new AthenaClient({ region: 'ap-northeast-1' });
  const runner = new AthenaRunner(client, { sleep: async () => undefined, throttleRetries: 1 });
  return {
    engine: new AthenaSearchEngine(client, runner, {
      database: 'oplake_lake',
      workgroups: ['oplake-search-0'],
      sleep: async () => undefined,
    }),
    limiter: new InMemoryConcurrencyLimiter({ maxConcurrent: 1, leaseMs: 600_000 }),
    registry: new InMemoryQueryRegistry(),
    keys: keySource,
    clock: { now: () => new Date() },
    waitBudgetMs: 0,
    queryTtlMs: 3_600_000,
  };
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

/** Athena's state of q-1 follows `state.now`; StopQueryExecution moves it to CANCELLED. */
function athenaWith(initial: QueryExecutionState, reason?: string) {
  const state = { now: initial, reason };
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
  athena.on(GetQueryExecutionCommand).callsFake(() => execution(state.now, state.reason));
  athena.on(StopQueryExecutionCommand).callsFake(() => {
    state.now = 'CANCELLED';
    state.reason = 'Query cancelled by user';
    return {};
  });
  return state;
}

describe('cancelling an Athena search', () => {
  it.each(['QUEUED', 'RUNNING'] as const)(
    'stops a %s query once, frees the slot at once, then GET answers 410',
    async (initial) => {
      // Prepare
      const deps = setup();
      athenaWith(initial);
      await searchEvents('acme-corp', RANGE, deps);
      await expect(searchEvents('acme-corp', RANGE, deps)).rejects.toMatchObject({
        code: 'too_many_queries',
      });
      // Act
      const first = await cancelQuery('acme-corp', 'q-1', deps);
      const second = await cancelQuery('acme-corp', 'q-1', deps);
      // Assess
      expect(first).toEqual({ status: 200, body: { queryId: 'q-1', status: 'cancelled' } });
      expect(second).toEqual(first);
      expect(athena).toHaveReceivedCommandTimes(StopQueryExecutionCommand, 1);
      expect(athena).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: 'q-1' });
      await expect(getQuery('acme-corp', 'q-1', deps)).rejects.toMatchObject({
        status: 410,
        code: 'query_cancelled',
      });
      await expect(deps.limiter.acquire('acme-corp')).resolves.toEqual(expect.any(String));
    },
  );

  it.each([
    ['SUCCEEDED', undefined, 'succeeded'],
    ['FAILED', 'HIVE_BAD_DATA', 'failed'],
    ['CANCELLED', 'Query cancelled: the bytes scanned limit was exceeded', 'failed'],
    ['CANCELLED', 'Query cancelled by user', 'cancelled'],
  ] as const)('answers a %s query (%s) with %s and does not stop it', async (state, reason, answer) => {
    const deps = setup();
    athenaWith(state, reason);
    await deps.registry.put({
      queryId: 'q-1',
      tenantId: 'acme-corp',
      kind: 'search',
      query: { ...RANGE, limit: 100 } as never,
      leaseId: await deps.limiter.acquire('acme-corp'),
      expiresAt: Date.now() + 60_000,
    });
    const ended = await cancelQuery('acme-corp', 'q-1', deps);
    expect(ended.body).toEqual({ queryId: 'q-1', status: answer });
    expect(athena).toHaveReceivedCommandTimes(StopQueryExecutionCommand, 0);
    // The query is over either way: its slot is free.
    await expect(deps.limiter.acquire('acme-corp')).resolves.toEqual(expect.any(String));
  });

  it('keeps a succeeded query readable after DELETE', async () => {
    const deps = setup();
    const state = athenaWith('RUNNING');
    const header = { Data: OUTPUT_COLUMNS.map((c) => ({ VarCharValue: c })) };
    athena.on(GetQueryResultsCommand).resolves({
      $metadata: {},
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: OUTPUT_COLUMNS.map((Name) => ({ Name, Type: 'varchar' })) },
        Rows: [header],
      },
    });
    await searchEvents('acme-corp', RANGE, deps);
    state.now = 'SUCCEEDED';
    expect((await cancelQuery('acme-corp', 'q-1', deps)).body.status).toBe('succeeded');
    await expect(getQuery('acme-corp', 'q-1', deps)).resolves.toMatchObject({
      status: 200,
      body: { events: [] },
    });
  });

  it('answers the final state of a query that ended between the look and the stop', async () => {
    const deps = setup();
    const state = athenaWith('RUNNING');
    await searchEvents('acme-corp', RANGE, deps);
    athena.on(StopQueryExecutionCommand).callsFake(() => {
      state.now = 'SUCCEEDED';
      throw new InvalidRequestException({ message: 'Query has already finished', $metadata: {} });
    });
    await expect(cancelQuery('acme-corp', 'q-1', deps)).resolves.toEqual({
      status: 200,
      body: { queryId: 'q-1', status: 'succeeded' },
    });
    await expect(deps.limiter.acquire('acme-corp')).resolves.toEqual(expect.any(String));
  });

  it("answers 404 to another tenant's DELETE without calling Athena, and 429 when Athena throttles", async () => {
    const deps = setup();
    athenaWith('RUNNING');
    await searchEvents('acme-corp', RANGE, deps);
    athena.resetHistory();
    await expect(cancelQuery('beta-inc', 'q-1', deps)).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect(athena.calls()).toHaveLength(0);
    athena
      .on(StopQueryExecutionCommand)
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(cancelQuery('acme-corp', 'q-1', deps)).rejects.toMatchObject({
      status: 429,
      code: 'too_many_queries',
    });
  });

  it('routes DELETE /v1/search/{queryId} at the function URL (scope search)', async () => {
    const handler = createSearchHandler(setup());
    athenaWith('RUNNING');
    const call = async (method: string, path: string, scope: 'search' | 'ingest' = 'search') =>
      handler(httpEvent(method, path, { token: await token('acme-corp', scope) }), lambdaContext);
    const started = await handler(
      httpEvent('POST', '/v1/search', { token: await token('acme-corp'), body: RANGE }),
      lambdaContext,
    );
    const forbidden = await call('DELETE', '/v1/search/q-1', 'ingest');
    const deleted = await call('DELETE', '/v1/search/q-1');
    const gone = await call('GET', '/v1/search/q-1');
    expect(started.statusCode).toBe(202);
    expect(forbidden.statusCode).toBe(403);
    expect(deleted.statusCode).toBe(200);
    expect(JSON.parse(String(deleted.body))).toEqual({ queryId: 'q-1', status: 'cancelled' });
    expect(gone.statusCode).toBe(410);
    expect(JSON.parse(String(gone.body))).toMatchObject({ error: { code: 'query_cancelled' } });
  });
});
