/**
 * The failing functions record each failure beside the message (shared/dlq/failure-record.ts):
 * class, message, retry hint, attempts, first and last time. The sweeper classifies from it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { createCtasRunnerHandler } from '../../functions/ctas-runner/create-handler.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import type { ConversionEngine } from '../../shared/conversion/engine.js';
import { classify } from '../../shared/dlq/classify.js';
import { failureKey, readFailure, recordFailure } from '../../shared/dlq/failure-record.js';
import { lambdaContext } from '../../shared/local/runtime/lambda-context.js';
import { sqsRecord } from '../../shared/local/runtime/sqs-record.js';
import { LocalTaskCallbacks } from '../../shared/local/workflow/local-task-callbacks.js';
import { createObservability } from '../../shared/observability/index.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function lake(): Promise<FileObjectStore> {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-failures-'));
  dirs.push(dir);
  return new FileObjectStore(dir);
}

describe('failure records', () => {
  it('ctas-runner records a malformed fan-out message as a permanent BadFanOutMessageError, counting attempts', async () => {
    // Prepare
    const store = await lake();
    const unused: ConversionEngine = {
      name: 'unused',
      materialize: () => Promise.reject(new Error('a malformed message never reaches the engine')),
    };
    let now = new Date('2026-11-24T01:00:00.000Z');
    const handler = createCtasRunnerHandler({
      store,
      engine: unused,
      callbacks: new LocalTaskCallbacks(),
      clock: { now: () => now },
      obs: createObservability('ctas-runner', { local: true, logLevel: 'SILENT' }),
    });
    const body = '{"tenantId":"tenant-000"}';
    const invoke = (receiveCount: number) =>
      handler(
        { Records: [sqsRecord({ messageId: 'bad', body, receiveCount })] },
        lambdaContext('ctas-runner') as Context,
      );

    // Act
    const first = await invoke(1);
    now = new Date('2026-11-24T01:05:00.000Z');
    await invoke(2);

    // Assess
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    const record = await readFailure(store, body);
    expect(record).toMatchObject({
      errorClass: 'BadFanOutMessageError',
      recordedBy: 'ctas-runner',
      attempts: 2,
      firstFailureAt: '2026-11-24T01:00:00.000Z',
      lastFailureAt: '2026-11-24T01:05:00.000Z',
      redrives: 0,
    });
    expect(classify(record).class).toBe('permanent');
  });

  it('keeps the first failure time and the redrive counter across attempts, taking the larger attempt count', async () => {
    const store = await lake();
    const error = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: {} });
    await recordFailure(store, {
      body: 'b',
      error,
      recordedBy: 'split',
      now: new Date('2026-11-24T00:00:00Z'),
      receiveCount: 1,
    });
    await recordFailure(store, {
      body: 'b',
      error,
      recordedBy: 'split',
      now: new Date('2026-11-24T00:10:00Z'),
      receiveCount: 5,
    });
    expect(await readFailure(store, 'b')).toMatchObject({
      attempts: 5,
      transient: true,
      firstFailureAt: '2026-11-24T00:00:00.000Z',
      lastFailureAt: '2026-11-24T00:10:00.000Z',
    });
    expect(await readFailure(store, 'unknown body')).toBeNull();
    await store.put(failureKey('torn'), '{"errorClass":'); // unreadable: classified without it
    expect(await readFailure(store, 'torn')).toBeNull();
  });
});
