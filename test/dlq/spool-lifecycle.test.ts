/**
 * Claim-checked batches against the spool/ lifecycle rule Terraform deploys (issue 18 item 3): the
 * expiry is read from terraform/ (test/fixtures/terraform-values.ts), objects age by the injected
 * clock, and the rule is applied the way S3 applies it (shared/adapters/local/lifecycle.ts). A
 * spool body outlives its pointer in the queue and the DLQ; one that is gone anyway is a fault that
 * keeps its message, never a silent acknowledgement.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type ExpirationRule, expireObjects } from '../../shared/adapters/local/lifecycle.js';
import { readArchive } from '../../shared/dlq/archive.js';
import { DEFAULT_SWEEP_CONFIG } from '../../shared/dlq/sweep.js';
import { spoolKey } from '../../shared/domain/batch-message.js';
import {
  batchQueueRetentionDays,
  spoolExpirationDays,
  terraformMaxRedrives,
} from '../fixtures/terraform-values.js';
import { batchBody, createKit, type Kit } from './pipeline-kit.js';

const DAY_MS = 86_400_000;
const SPOOL_RULE: ExpirationRule = { prefix: 'spool/', expirationDays: spoolExpirationDays() };

/** What ingest does above the queue's size limit: the batch to spool/, its key on the queue. */
async function sendClaimChecked(kit: Kit, n: number, events: number): Promise<string> {
  const key = spoolKey('acme-corp', `claim-${n}`);
  await kit.lake.put(key, batchBody(n, events));
  await kit.send([JSON.stringify({ v: 1, tenantId: 'acme-corp', claimCheck: key })]);
  return key;
}

describe('claim-checked batches and the spool/ lifecycle', () => {
  let kit: Kit;
  beforeEach(async () => {
    kit = await createKit();
  });
  afterEach(async () => {
    await kit.close();
  });

  it('Terraform assumes the sweeper default maxRedrives of the code', () => {
    expect(terraformMaxRedrives()).toBe(DEFAULT_SWEEP_CONFIG.maxRedrives);
  });

  it('a redrive after 14 days delivers the batch', async () => {
    // Prepare: Firehose is down, the message is dead-lettered, the sweeper does not run.
    const key = await sendClaimChecked(kit, 1, 3);
    kit.faulty.fault = 'total';
    await kit.drain();
    expect((await kit.queue.depth()).dlq).toBe(1);
    // The letter sits in the DLQ for its whole retention (14 days from Terraform; a standard
    // queue counts it from the first enqueue), the lifecycle rule running every day meanwhile.
    const { dlq } = batchQueueRetentionDays();
    expect(dlq).toBe(14);
    const expired: string[] = [];
    for (let day = 1; day < dlq; day++) {
      kit.clock.advance(DAY_MS);
      expired.push(...(await expireObjects(kit.lake, [SPOOL_RULE], kit.clock.now())));
    }
    kit.clock.advance(DAY_MS - 3_600_000); // 14 days less an hour: the last hour the DLQ keeps it
    expired.push(...(await expireObjects(kit.lake, [SPOOL_RULE], kit.clock.now())));
    kit.faulty.fault = 'none';
    // Act: the sweeper is back and redrives it; split takes it from the queue.
    const swept = await kit.sweep();
    await kit.drain();
    // Assess: every event once, the body replaced by its receipt, the queues empty.
    expect(expired).toEqual([]);
    expect(swept.redriven).toBe(1);
    const events = await kit.lakeEvents();
    expect(events).toHaveLength(3);
    expect(new Set(events).size).toBe(3);
    expect(JSON.parse(Buffer.from((await kit.lake.get(key)) ?? []).toString('utf8'))).toMatchObject({
      kind: 'delivered',
      events: 3,
    });
    expect(await kit.queue.depth()).toMatchObject({ dlq: 0 });
    expect(await kit.alerts()).toEqual([]);
  });

  it('a body the lifecycle removed before delivery keeps its message: dead-lettered, archived, alerted', async () => {
    // Prepare: a pointer that outlived the expiry (e.g. an archived letter sent by hand too late).
    const key = await sendClaimChecked(kit, 2, 2);
    kit.clock.advance(SPOOL_RULE.expirationDays * DAY_MS + DAY_MS);
    expect(await expireObjects(kit.lake, [SPOOL_RULE], kit.clock.now())).toEqual([key]);
    // Act
    const drained = await kit.drain();
    await kit.sweep();
    // Assess: never acknowledged as delivered; archived as permanent with its class, one alert.
    expect(drained.ok).toBe(0);
    expect(await kit.lakeEvents()).toEqual([]);
    const archived = [];
    for await (const record of readArchive(kit.lake)) archived.push(record);
    expect(archived.map((r) => [r.errorClass, r.class])).toEqual([['SpoolObjectMissingError', 'permanent']]);
    expect((await kit.alerts()).map((a) => a.key)).toEqual([
      'permanent_failures:batches:SpoolObjectMissingError',
    ]);
  });

  it('a receipt outlives the pointers too: a late duplicate is acknowledged, not delivered again', async () => {
    // Prepare: delivered once; a duplicate of the message (SQS is at least once) comes back a DLQ stay later.
    const key = await sendClaimChecked(kit, 3, 2);
    await kit.drain();
    kit.clock.advance(batchQueueRetentionDays().dlq * DAY_MS);
    expect(await expireObjects(kit.lake, [SPOOL_RULE], kit.clock.now())).toEqual([]);
    await kit.send([JSON.stringify({ v: 1, tenantId: 'acme-corp', claimCheck: key })]);
    // Act
    const drained = await kit.drain();
    // Assess
    expect(drained).toEqual({ ok: 1, failed: 0 });
    expect(await kit.lakeEvents()).toHaveLength(2);
  });
});
