import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FileIdempotencyStore } from './file-idempotency-store.js';

describe('FileIdempotencyStore', () => {
  let dir: string;
  let now: number;
  let store: FileIdempotencyStore;
  let calls: number;

  function idempotent(fn: (payload: { key: string; body: string }) => Promise<unknown>) {
    return makeIdempotent(fn, {
      persistenceStore: store,
      config: new IdempotencyConfig({
        eventKeyJmesPath: 'key',
        payloadValidationJmesPath: 'body',
        expiresAfterSeconds: 60,
        lambdaContext: {
          callbackWaitsForEmptyEventLoop: false,
          functionName: 'test',
          functionVersion: '1',
          invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:test',
          memoryLimitInMB: '128',
          awsRequestId: 'r',
          logGroupName: 'g',
          logStreamName: 's',
          getRemainingTimeInMillis: () => 30_000,
          done: () => undefined,
          fail: () => undefined,
          succeed: () => undefined,
        },
      }),
    });
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oplake-idem-'));
    now = Date.now();
    store = new FileIdempotencyStore(join(dir, 'records'), { now: () => now });
    calls = 0;
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs once and answers the stored result afterwards, across store instances (restart)', async () => {
    // Prepare
    const fn = idempotent(async (p) => {
      calls += 1;
      return { echoed: p.body, n: calls };
    });
    // Act
    const first = await fn({ key: 'k1', body: 'a' });
    store = new FileIdempotencyStore(join(dir, 'records'));
    const again = await idempotent(async () => ({ never: true }))({ key: 'k1', body: 'a' });
    // Assess
    expect(first).toEqual({ echoed: 'a', n: 1 });
    expect(again).toEqual(first);
    expect((await readdir(join(dir, 'records'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses the same key with another payload', async () => {
    // Prepare
    const fn = idempotent(async (p) => p.body);
    await fn({ key: 'k1', body: 'a' });
    // Act
    const outcome = fn({ key: 'k1', body: 'b' });
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(IdempotencyValidationError);
  });

  it('reports a concurrent duplicate as in progress, and forgets a failed run', async () => {
    // Prepare
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const fn = idempotent(async (p) => {
      calls += 1;
      if (p.body === 'fail') throw new Error('boom');
      await gate;
      return 'done';
    });
    // Act
    const first = fn({ key: 'k1', body: 'a' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const duplicate = fn({ key: 'k1', body: 'a' });
    await expect(duplicate).rejects.toBeInstanceOf(IdempotencyAlreadyInProgressError);
    open();
    const failed = fn({ key: 'k2', body: 'fail' });
    await expect(failed).rejects.toThrow('boom');
    const retried = idempotent(async () => 'second try')({ key: 'k2', body: 'fail' });
    // Assess
    expect(await first).toBe('done');
    expect(await retried).toBe('second try');
  });

  it('lets a put replace an expired record, and only then', async () => {
    // Prepare
    const fn = idempotent(async (p) => {
      calls += 1;
      return `${p.body}-${calls}`;
    });
    await fn({ key: 'k1', body: 'a' });
    // Act
    now += 61_000;
    const later = await fn({ key: 'k1', body: 'a' });
    // Assess
    expect(later).toBe('a-2');
  });

  it('purges expired records only', async () => {
    // Prepare
    const fn = idempotent(async (p) => p.body);
    await fn({ key: 'k1', body: 'a' });
    await fn({ key: 'k2', body: 'b' });
    // Act
    const none = await store.purgeExpired();
    now += 61_000;
    const both = await store.purgeExpired();
    // Assess
    expect(none).toBe(0);
    expect(both).toBe(2);
    expect(await readdir(join(dir, 'records'))).toEqual([]);
  });

  it('throws IdempotencyItemAlreadyExistsError carrying the record when one is live', async () => {
    // Prepare
    const fn = idempotent(async () => 'x');
    await fn({ key: 'k1', body: 'a' });
    // Act
    const error = await (store as unknown as { _putRecord: (r: unknown) => Promise<void> })
      ._putRecord({
        idempotencyKey: (
          store as unknown as { getHashedIdempotencyKey: (d: unknown) => string }
        ).getHashedIdempotencyKey({
          key: 'k1',
          body: 'a',
        }),
        getStatus: () => 'INPROGRESS',
        expiryTimestamp: now / 1000 + 60,
      })
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(IdempotencyItemAlreadyExistsError);
    expect((error as IdempotencyItemAlreadyExistsError).existingRecord?.getStatus()).toBe('COMPLETED');
  });
});

describe('FileIdempotencyStore: settling after a crash', () => {
  it('lists in-progress records, completes one as a replay and releases another, and leaves completed ones alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oplake-idem-settle-'));
    try {
      const store = new FileIdempotencyStore(dir);
      store.configure({ config: new IdempotencyConfig({ eventKeyJmesPath: 'key' }), keyPrefix: 'p' });
      const keyOf = (batchId: string) => store.keyOf({ key: { batchId } });
      await store.saveInProgress({ key: { batchId: 'b-1' } }, 30_000);
      await store.saveInProgress({ key: { batchId: 'b-2' } }, 30_000);
      await store.saveInProgress({ key: { batchId: 'b-3' } }, 30_000);
      await store.saveSuccess({ key: { batchId: 'b-3' } }, { statusCode: 202, body: 'first' });

      expect((await store.inProgressKeys()).sort()).toEqual([keyOf('b-1'), keyOf('b-2')].sort());
      expect(await store.complete(keyOf('b-1'), { statusCode: 202, body: 'settled' }, 4_102_444_800)).toBe(
        true,
      );
      expect(await store.release(keyOf('b-2'))).toBe(true);
      expect(await store.release(keyOf('b-3'))).toBe(false); // completed: not touched
      expect(await store.complete(keyOf('b-3'), { statusCode: 202, body: 'other' }, 4_102_444_800)).toBe(
        false,
      );

      expect(await store.inProgressKeys()).toEqual([]);
      const settled = await store.getRecord({ key: { batchId: 'b-1' } });
      expect([settled.getStatus(), settled.getResponse()]).toEqual([
        'COMPLETED',
        { statusCode: 202, body: 'settled' },
      ]);
      await expect(store.getRecord({ key: { batchId: 'b-2' } })).rejects.toThrow();
      expect((await store.getRecord({ key: { batchId: 'b-3' } })).getResponse()).toEqual({
        statusCode: 202,
        body: 'first',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
