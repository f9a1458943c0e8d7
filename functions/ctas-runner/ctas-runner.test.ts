import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsRecord } from '../../shared/local/runtime/sqs-record.js';
import 'aws-sdk-client-mock-jest';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { InProcessDayLeases } from '../../shared/adapters/local/in-process-day-leases.js';
import { TaskTokenGoneError } from '../../shared/conversion/task-callbacks.js';
import { partitionPrefix } from '../../shared/domain/layout.js';
import { LocalTaskCallbacks, LocalTaskError } from '../../shared/local/workflow/local-task-callbacks.js';
import { createObservability } from '../../shared/observability/index.js';
import { listAll, readParquetRows } from '../../test/fixtures/lake-reader.js';
import { type RawLake, writeRawLake } from '../../test/fixtures/raw-lake.js';
import { readCtasRunnerEnv } from './config.js';
import { BadFanOutMessageError, parseFanOutMessage, runTenant, TASK_ERRORS } from './core.js';
import { createCtasRunnerHandler } from './create-handler.js';
import { SfnTaskCallbacks } from './sfn-task-callbacks.js';

const DAYS = ['2026-11-22', '2026-11-23'];
const dirs: string[] = [];
let store: FileObjectStore;
let engine: DuckDbConversionEngine;
let callbacks: LocalTaskCallbacks;
let lake: RawLake;

function record(body: string, messageId: string): SQSRecord {
  return sqsRecord({
    messageId,
    body,
    senderId: 'states',
    queueArn: 'arn:aws:sqs:ap-northeast-1:123456789012:oplake-fanout',
  });
}

/** One tenant's fan-out message for both DAYS, as the workflow sends it. */
function tenantRecord(taskToken: string, tenantId: string, messageId: string): SQSRecord {
  return record(JSON.stringify({ taskToken, tenantId, dates: DAYS, runId: 'r1' }), messageId);
}

function context(remainingMs = 600_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'oplake-ctas-runner',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:oplake-ctas-runner',
    memoryLimitInMB: '1024',
    awsRequestId: 'req-1',
    logGroupName: '/aws/lambda/oplake-ctas-runner',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-ctas-'));
  dirs.push(dir);
  store = new FileObjectStore(dir);
  engine = new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 });
  callbacks = new LocalTaskCallbacks();
  lake = await writeRawLake(store, { tenants: 2, days: 2, lastDay: '2026-11-23', eventsPerTenantDay: 120 });
});

afterEach(async () => {
  await engine.close();
});

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function handler(extra: Partial<Parameters<typeof createCtasRunnerHandler>[0]> = {}) {
  return createCtasRunnerHandler({
    ...extra,
    store,
    engine,
    callbacks,
    clock: { now: () => new Date('2026-11-24T01:00:00Z') },
    obs: createObservability('ctas-runner', { local: true, logLevel: 'SILENT' }),
  });
}

describe('ctas-runner handler', () => {
  it('converts each tenant of the batch and answers every token with success', async () => {
    const a = callbacks.issue();
    const b = callbacks.issue();
    const event: SQSEvent = {
      Records: [tenantRecord(a.token, 'tenant-000', 'm-1'), tenantRecord(b.token, 'tenant-001', 'm-2')],
    };

    const response = await handler()(event, context());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await a.settled).toMatchObject({ tenantId: 'tenant-000', ok: true, converted: 2 });
    expect(await b.settled).toMatchObject({ tenantId: 'tenant-001', ok: true, converted: 2 });
    const rows = await readParquetRows(store);
    const expected = [...lake.expected.values()]
      .flatMap((m) => [...m.values()])
      .reduce((n, byId) => n + byId.size, 0);
    expect(rows).toHaveLength(expected);
  });

  it('reports a malformed message as a batch item failure, without touching its neighbours', async () => {
    const a = callbacks.issue();
    const event: SQSEvent = {
      Records: [record('{"tenantId":"tenant-000"}', 'bad'), tenantRecord(a.token, 'tenant-000', 'good')],
    };

    const response = await handler()(event, context());

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(await a.settled).toMatchObject({ ok: true });
  });

  it('answers SendTaskFailure when a date fails, after converting the others', async () => {
    const a = callbacks.issue();
    await store.put(`${partitionPrefix('raw', 'tenant-000', '2026-11-22')}broken.json.gz`, 'not gzip');
    const event: SQSEvent = {
      Records: [tenantRecord(a.token, 'tenant-000', 'm')],
    };

    const response = await handler()(event, context());

    expect(response).toEqual({ batchItemFailures: [] });
    const error = await a.settled.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalTaskError);
    expect((error as LocalTaskError).name).toBe(TASK_ERRORS.conversionFailed);
    expect((error as LocalTaskError).message).toContain('2026-11-22');
    expect(await listAll(store, partitionPrefix('raw', 'tenant-000', '2026-11-23'))).toEqual([]);
    expect((await listAll(store, partitionPrefix('raw', 'tenant-000', '2026-11-22'))).length).toBeGreaterThan(
      0,
    );
  });

  it('waits for another conversion of a day, then fails the task as busy (the workflow retries it) and converts the free day', async () => {
    const leases = new InProcessDayLeases();
    const held = await leases.tryAcquire('tenant-000', '2026-11-22', 'intraday-run');
    const a = callbacks.issue();
    const event: SQSEvent = {
      Records: [tenantRecord(a.token, 'tenant-000', 'm')],
    };

    const response = await handler({ leases, leaseWaitMs: 300 })(event, context());

    expect(response).toEqual({ batchItemFailures: [] });
    const error = (await a.settled.catch((e: unknown) => e)) as LocalTaskError;
    expect(error).toBeInstanceOf(LocalTaskError);
    expect(error.name).toBe(TASK_ERRORS.conversionFailed);
    expect(error.message).toContain('2026-11-22: ConversionBusyError');
    expect(await listAll(store, partitionPrefix('raw', 'tenant-000', '2026-11-23'))).toEqual([]);
    expect((await listAll(store, partitionPrefix('raw', 'tenant-000', '2026-11-22'))).length).toBeGreaterThan(
      0,
    );
    expect([...leases.holders().keys()]).toEqual(['tenant-000/2026-11-22']);

    // Given back: the retried task converts the day.
    await held?.release();
    const retry = callbacks.issue();
    await handler({ leases, leaseWaitMs: 300 })(
      {
        Records: [tenantRecord(retry.token, 'tenant-000', 'm')],
      },
      context(),
    );
    expect(await retry.settled).toMatchObject({ tenantId: 'tenant-000', ok: true, converted: 1 });
    expect(await listAll(store, partitionPrefix('raw', 'tenant-000'))).toEqual([]);
    expect(leases.holders().size).toBe(0);
  });

  it('never waits for a held day into the time its conversion needs before the Lambda times out', async () => {
    const leases = new InProcessDayLeases();
    await leases.tryAcquire('tenant-000', '2026-11-22', 'intraday-run');
    const a = callbacks.issue();
    // 120.3 s left: the default wait (2 minutes) is cut to 0.3 s, leaving the conversion its 120 s.
    await handler({ leases })(
      {
        Records: [tenantRecord(a.token, 'tenant-000', 'm')],
      },
      context(120_300),
    );
    const error = (await a.settled.catch((e: unknown) => e)) as LocalTaskError;
    expect(error.message).toContain('2026-11-22: ConversionBusyError');
    expect(error.message).toContain('held it for 300 ms');
  });

  it('stops before the function times out and lets the workflow retry', async () => {
    const a = callbacks.issue();
    const event: SQSEvent = {
      Records: [tenantRecord(a.token, 'tenant-000', 'm')],
    };

    await handler()(event, context(60_000));

    await expect(a.settled).rejects.toMatchObject({ name: TASK_ERRORS.incomplete });
    expect((await listAll(store, partitionPrefix('raw', 'tenant-000'))).length).toBeGreaterThan(0);
  });
});

describe('runTenant', () => {
  it('keeps the conversion when the token is no longer waited for', async () => {
    const gone = {
      success: async () => {
        throw new TaskTokenGoneError('timed out');
      },
      failure: async () => undefined,
      heartbeat: async () => undefined,
    };

    const outcome = await runTenant(
      { taskToken: 'old', tenantId: 'tenant-000', dates: ['2026-11-23'], runId: 'r' },
      {
        callbacks: gone,
        convert: async (tenantId, dt) => ({
          tenantId,
          dt,
          runId: 'r',
          status: 'converted',
          rawObjects: 1,
          rawBytes: 1,
          previousFiles: 0,
          files: 1,
          rows: 3,
        }),
      },
    );

    expect(outcome).toMatchObject({ ok: true, rows: 3 });
  });

  it('heartbeats while a conversion runs', async () => {
    const a = callbacks.issue();
    await runTenant(
      { taskToken: a.token, tenantId: 'tenant-000', dates: ['2026-11-23'], runId: 'r' },
      {
        callbacks,
        heartbeatMs: 5,
        convert: async (tenantId, dt) => {
          await new Promise((r) => setTimeout(r, 40));
          return {
            tenantId,
            dt,
            runId: 'r',
            status: 'nothing-to-do',
            rawObjects: 0,
            rawBytes: 0,
            previousFiles: 0,
            files: 0,
            rows: 0,
          };
        },
      },
    );

    await a.settled;
    expect(callbacks.heartbeats).toBeGreaterThan(0);
  });

  it('validates fan-out messages', () => {
    expect(() => parseFanOutMessage('nope')).toThrow(BadFanOutMessageError);
    expect(() => parseFanOutMessage('{"taskToken":"t","tenantId":"A!","dates":[],"runId":"r"}')).toThrow(
      BadFanOutMessageError,
    );
    expect(() =>
      parseFanOutMessage('{"taskToken":"t","tenantId":"acme","dates":["2026-13-45"],"runId":"r"}'),
    ).toThrow(BadFanOutMessageError);
    expect(
      parseFanOutMessage('{"taskToken":"t","tenantId":"acme","dates":["2026-11-23"],"runId":"r"}'),
    ).toEqual({
      taskToken: 't',
      tenantId: 'acme',
      dates: ['2026-11-23'],
      runId: 'r',
    });
  });
});

describe('SfnTaskCallbacks', () => {
  const sfn = mockClient(SFNClient);
  const adapter = new SfnTaskCallbacks(new SFNClient({ region: 'ap-northeast-1' }));
  afterEach(() => {
    sfn.reset();
  });

  it('sends success, failure (truncated to the API limits) and heartbeat', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
    sfn.on(SendTaskHeartbeatCommand).resolves({});

    await adapter.success('tok', { ok: true });
    await adapter.failure('tok', 'E'.repeat(300), 'c');
    await adapter.heartbeat('tok');

    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken: 'tok',
      output: '{"ok":true}',
    });
    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: 'tok',
      error: 'E'.repeat(256),
      cause: 'c',
    });
    expect(sfn).toHaveReceivedCommandWith(SendTaskHeartbeatCommand, { taskToken: 'tok' });
  });

  it('turns TaskTimedOut into TaskTokenGoneError and lets other errors through', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    sfn.on(SendTaskHeartbeatCommand).rejects(new Error('network'));

    await expect(adapter.success('tok', {})).rejects.toThrow(TaskTokenGoneError);
    await expect(adapter.heartbeat('tok')).rejects.toThrow('network');
  });
});

describe('ctas-runner config', () => {
  it('reads its variables and names a missing one', () => {
    expect(
      readCtasRunnerEnv({
        OPLAKE_LAKE_BUCKET: 'b',
        OPLAKE_GLUE_DATABASE: 'oplake',
        OPLAKE_ATHENA_WORKGROUP: 'wg',
      }),
    ).toEqual({
      lakeBucket: 'b',
      database: 'oplake',
      workgroup: 'wg',
      outputLocation: undefined,
      rawTable: 'raw_events',
      eventsTable: 'events_v2',
      legacyTable: 'events',
      monthTable: 'events_month',
      compaction: { graceDays: 3, maxDayBytes: 8 * 1024 * 1024, minDays: 2, maxMonths: 3 },
    });
    expect(() => readCtasRunnerEnv({ OPLAKE_LAKE_BUCKET: 'b' })).toThrow('OPLAKE_GLUE_DATABASE');
  });
});
