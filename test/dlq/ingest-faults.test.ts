/**
 * The first hop's faults: the idempotency store failing. Ingest answers 503 `unavailable` (retrying
 * is safe) and queues nothing, so nothing can reach a DLQ and nothing is alerted; the agent's retry
 * is accepted once, and a replay after that is answered from the record without a second message.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { afterEach, describe, expect, it } from '@jest/globals';
import { appEvent, jsonBatch, type Kit, makeKit, urlEvent } from '../../functions/ingest/test-kit.js';
import { FileIdempotencyStore } from '../../shared/adapters/local/file-idempotency-store.js';

class FlakyIdempotencyStore extends FileIdempotencyStore {
  failPuts = 0;
  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    if (this.failPuts > 0) {
      this.failPuts--;
      throw Object.assign(new Error('ProvisionedThroughputExceededException'), {
        name: 'ProvisionedThroughputExceededException',
      });
    }
    return super._putRecord(record);
  }
}

describe('idempotency store errors at ingest', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('answers 503 and queues nothing; the retry is accepted once; a replay queues nothing more', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'oplake-idem-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const store = new FlakyIdempotencyStore(dir);
    const kit: Kit = await makeKit({ idempotency: store });
    cleanups.push(kit.cleanup);
    const token = await kit.token({ sub: 'pc-001' });
    const body = jsonBatch('b-idem-1', [appEvent(1), appEvent(2)]);
    store.failPuts = 1;

    // Act
    const failed = await kit.handle(urlEvent(body, { token }));
    const retried = await kit.handle(urlEvent(body, { token }));
    const replayed = await kit.handle(urlEvent(body, { token }));

    // Assess
    expect(failed.status).toBe(503);
    expect(failed.json).toMatchObject({ error: { code: 'unavailable' } });
    expect(retried.status).toBe(202);
    expect(retried.json).toMatchObject({ batchId: 'b-idem-1', accepted: 2 });
    expect(replayed.status).toBe(202);
    expect(replayed.body).toBe(retried.body);
    expect(kit.queue.sent).toHaveLength(1);
  });
});
