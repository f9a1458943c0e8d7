import {
  AthenaClient,
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  GetQueryResultsCommand,
  GetQueryRuntimeStatisticsCommand,
  type QueryExecutionState,
  type QueryExecutionStatus,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-athena';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  AthenaQueryFailedError,
  AthenaRunner,
  AthenaScanLimitError,
  AthenaThrottledError,
  toParameter,
} from './athena-runner.js';

const athena = mockClient(AthenaClient);
const sleeps: number[] = [];
const runner = new AthenaRunner(new AthenaClient({ region: 'ap-northeast-1' }), {
  sleep: async (ms) => {
    sleeps.push(ms);
  },
});

function state(
  State: QueryExecutionState,
  extra: Omit<QueryExecutionStatus, 'State'> = {},
): GetQueryExecutionCommandOutput {
  return {
    $metadata: {},
    QueryExecution: {
      QueryExecutionId: 'q-1',
      Status: { State, ...extra },
      Statistics: { DataScannedInBytes: 12345 },
    },
  };
}

afterEach(() => {
  athena.reset();
  sleeps.length = 0;
});

describe('AthenaRunner.runQuery', () => {
  it('starts with parameters, workgroup and result location, polls with backoff until SUCCEEDED', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(state('QUEUED'))
      .resolvesOnce(state('RUNNING'))
      .resolvesOnce(state('RUNNING'))
      .resolves(state('SUCCEEDED'));

    const outcome = await runner.runQuery({
      sql: 'SELECT 1 WHERE ? = ?',
      params: ["it's", 2],
      workgroup: 'oplake-nightly',
      outputLocation: 's3://results/x/',
      resultReuseMinutes: 60,
      database: 'oplake',
    });

    expect(outcome).toEqual({
      queryExecutionId: 'q-1',
      state: 'SUCCEEDED',
      scannedBytes: 12345,
      reused: false,
    });
    expect(athena).toHaveReceivedCommandWith(StartQueryExecutionCommand, {
      QueryString: 'SELECT 1 WHERE ? = ?',
      WorkGroup: 'oplake-nightly',
      ExecutionParameters: ["'it''s'", '2'],
      QueryExecutionContext: { Database: 'oplake' },
      ResultConfiguration: { OutputLocation: 's3://results/x/' },
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 60 } },
    });
    expect(athena).toHaveReceivedCommandTimes(GetQueryExecutionCommand, 4);
    expect(sleeps).toEqual([250, 500, 1000]);
  });

  it('throws AthenaQueryFailedError when the query FAILED', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(
      state('FAILED', {
        StateChangeReason: 'HIVE_PATH_ALREADY_EXISTS: Target directory for table already exists',
        AthenaError: { ErrorCategory: 2, ErrorType: 1301 },
      }),
    );

    const error = await runner.runQuery({ sql: 'SELECT 1', workgroup: 'wg' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AthenaQueryFailedError);
    expect((error as AthenaQueryFailedError).message).toContain('HIVE_PATH_ALREADY_EXISTS');
    expect((error as AthenaQueryFailedError).errorType).toBe(1301);
    expect((error as AthenaQueryFailedError).queryExecutionId).toBe('q-1');
  });

  it('throws AthenaScanLimitError when the workgroup cutoff cancelled the query', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolves(
        state('CANCELLED', { StateChangeReason: 'Query cancelled: Bytes scanned limit was exceeded' }),
      );

    const error = await runner.runQuery({ sql: 'SELECT 1', workgroup: 'wg' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AthenaScanLimitError);
    expect((error as AthenaScanLimitError).scannedBytes).toBe(12345);
  });

  it('treats another cancellation as a failure', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolves(state('CANCELLED', { StateChangeReason: 'Query was cancelled by user' }));

    await expect(runner.runQuery({ sql: 'SELECT 1', workgroup: 'wg' })).rejects.toThrow(
      AthenaQueryFailedError,
    );
  });

  it('retries TooManyRequestsException with growing backoff, then succeeds', async () => {
    const throttled = new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} });
    athena
      .on(StartQueryExecutionCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(state('SUCCEEDED'));

    await runner.runQuery({ sql: 'SELECT 1', workgroup: 'wg' });

    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(250);
    expect(sleeps[1]).toBeGreaterThanOrEqual(500);
  });

  it('gives up with AthenaThrottledError when throttling persists', async () => {
    athena
      .on(StartQueryExecutionCommand)
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));

    await expect(runner.runQuery({ sql: 'SELECT 1', workgroup: 'wg' })).rejects.toThrow(AthenaThrottledError);
    expect(athena).toHaveReceivedCommandTimes(StartQueryExecutionCommand, 7);
  });

  it('stops a query that outlives its wait', async () => {
    let clock = 0;
    const impatient = new AthenaRunner(new AthenaClient({ region: 'ap-northeast-1' }), {
      maxWaitMs: 1000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(state('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});

    await expect(impatient.runQuery({ sql: 'SELECT 1', workgroup: 'wg' })).rejects.toThrow(
      AthenaQueryFailedError,
    );
    expect(athena).toHaveReceivedCommandWith(StopQueryExecutionCommand, { QueryExecutionId: 'q-1' });
  });
});

describe('AthenaRunner results', () => {
  it('pages results and drops the header row of the first page', async () => {
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 1000 }).resolves({
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: [
            { Name: 'a', Type: 'varchar' },
            { Name: 'b', Type: 'varchar' },
          ],
        },
        Rows: [
          { Data: [{ VarCharValue: 'a' }, { VarCharValue: 'b' }] },
          { Data: [{ VarCharValue: '1' }, {}] },
        ],
      },
      NextToken: 't-2',
    });

    const page = await runner.getResults('q-1');

    expect(page).toEqual({ columns: ['a', 'b'], rows: [['1', null]], nextToken: 't-2' });
  });

  it('reads output rows from the runtime statistics', async () => {
    athena
      .on(GetQueryRuntimeStatisticsCommand)
      .resolves({ QueryRuntimeStatistics: { Rows: { InputRows: 10, OutputRows: 7 } } });

    expect(await runner.runtimeRows('q-1')).toEqual({ inputRows: 10, outputRows: 7 });
  });

  it('formats parameters as SQL literals', () => {
    expect([toParameter('a'), toParameter("o'k"), toParameter(3), toParameter(true)]).toEqual([
      "'a'",
      "'o''k'",
      '3',
      'true',
    ]);
  });
});
