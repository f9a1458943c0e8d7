/**
 * Fault injection at each hop of the pipeline the sweeper looks after. Each case asserts: nothing
 * lost, nothing doubled (distinct events; readers dedup by (device_id, event_id) anyway), the
 * right class, and the right number of alerts (zero for transient faults that recover).
 */
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readArchive } from '../../shared/dlq/archive.js';
import { readFailure } from '../../shared/dlq/failure-record.js';
import { batchBody, createKit, type Kit } from './pipeline-kit.js';

async function archived(kit: Kit) {
  const out = [];
  for await (const record of readArchive(kit.lake)) out.push(record);
  return out;
}

/** Sweep and drain until the DLQ is empty (at most `rounds` times), the clock past every backoff. */
async function recover(kit: Kit, rounds = 5): Promise<void> {
  for (let i = 0; i < rounds && (await kit.queue.depth()).dlq > 0; i++) {
    await kit.sweep();
    await kit.drain();
    kit.clock.advance(3600_000);
  }
}

describe('fault injection, hop by hop', () => {
  let kit: Kit;
  beforeEach(async () => {
    kit = await createKit();
  });
  afterEach(async () => {
    await kit.close();
  });

  it('Firehose total failure (5xx): transient, redriven, delivered once; 0 alerts', async () => {
    await kit.send([batchBody(1), batchBody(2)]);
    kit.faulty.fault = 'total';
    await kit.drain();
    expect((await readFailure(kit.lake, batchBody(1)))?.transient).toBe(true);
    kit.faulty.fault = 'none';

    await recover(kit);

    expect(new Set(await kit.lakeEvents()).size).toBe(4);
    expect(await kit.alerts()).toEqual([]);
    expect(await archived(kit)).toEqual([]);
  });

  it('Firehose partial failure: the redelivery re-puts delivered records, never loses one; 0 alerts', async () => {
    // 600 events make two records (500 + 100): the first goes through, the second fails.
    await kit.send([batchBody(1, 600)]);
    kit.faulty.fault = 'partial';
    await kit.drain();
    expect((await kit.queue.depth()).dlq).toBe(1);
    kit.faulty.fault = 'none';

    await recover(kit);

    const ids = await kit.lakeEvents();
    expect(new Set(ids).size).toBe(600);
    // At least once: the repeated copies are the first record's, which readers dedup.
    expect(ids.length).toBeGreaterThanOrEqual(600);
    expect(await kit.alerts()).toEqual([]);
  });

  it('SQS receive and delete errors that recover on retry: nothing lost, 0 alerts', async () => {
    await kit.send(['{"poison": true}', batchBody(3)]);
    kit.faulty.fault = 'throttle';
    await kit.drain();
    kit.faulty.fault = 'none';
    kit.source.failing.set('pages', 1);
    kit.source.failing.set('remove', 1);
    kit.source.failing.set('redrive', 1);

    const summary = await kit.sweep();
    await kit.drain();

    expect(summary.sources.batches).toMatchObject({ redriven: 1, archived: 1, errors: [] });
    expect(new Set(await kit.lakeEvents()).size).toBe(2);
    expect((await archived(kit)).map((r) => r.errorClass)).toEqual(['BatchMessageError']);
    // The poison message is the only alert: the SQS blips recovered.
    expect((await kit.alerts()).map((a) => a.rule)).toEqual(['permanent_failures']);
  });

  it('SQS delete failing for good after the archive: a duplicate archive line at worst, never a loss', async () => {
    await kit.send(['{"poison": true}']);
    await kit.drain();
    kit.source.failing.set('remove', 99);

    const first = await kit.sweep();
    expect(first.sources.batches?.errors).toHaveLength(1);
    expect((await kit.queue.depth()).dlq).toBe(1); // still there, and already archived
    kit.source.failing.clear();
    const second = await kit.sweep();

    expect(second.sources.batches).toMatchObject({ archived: 1, errors: [] });
    expect((await kit.queue.depth()).dlq).toBe(0);
    const lines = await archived(kit);
    expect(lines.map((r) => r.body)).toEqual(['{"poison": true}', '{"poison": true}']);
    expect(new Set(lines.map((r) => r.id)).size).toBe(1);
    expect((await kit.alerts()).map((a) => a.rule).sort()).toEqual(['permanent_failures', 'sweeper_failed']);
  });

  it('S3 errors: a blip while sweeping recovers (0 alerts); an archive write failing for good removes nothing', async () => {
    await kit.send(['{"poison": true}', batchBody(5)]);
    kit.faulty.fault = 'throttle';
    await kit.drain();
    kit.faulty.fault = 'none';
    kit.store.failing.set('get', 1);

    await kit.sweep();
    await kit.drain();
    expect(new Set(await kit.lakeEvents()).size).toBe(2);
    expect((await kit.alerts()).map((a) => a.rule)).toEqual(['permanent_failures']);
    expect((await kit.queue.depth()).dlq).toBe(0);

    // Now the archive itself cannot be written: the letter stays in the DLQ.
    await kit.send(['{"poison": 2}']);
    await kit.drain();
    kit.store.failing.set('put', 99);
    const failing = await kit.sweep();
    expect(failing.sources.batches?.errors).toHaveLength(1);
    expect((await kit.queue.depth()).dlq).toBe(1);
    kit.store.failing.clear();
    await kit.sweep();
    expect((await kit.queue.depth()).dlq).toBe(0);
    expect((await archived(kit)).map((r) => r.body).sort()).toEqual(['{"poison": 2}', '{"poison": true}']);
  });

  it('S3 errors inside split (no failure record written): unrecorded, so transient; redriven and delivered', async () => {
    await kit.send([batchBody(6)]);
    kit.faulty.fault = 'total';
    kit.store.failing.set('put', 4); // the failure record writes of both attempts
    kit.store.failing.set('get', 4);
    await kit.drain();
    kit.store.failing.clear();
    expect(await readFailure(kit.lake, batchBody(6))).toBeNull();
    kit.faulty.fault = 'none';

    const summary = await kit.sweep();
    await kit.drain();

    expect(summary.sources.batches).toMatchObject({ transient: 1, redriven: 1 });
    expect(new Set(await kit.lakeEvents()).size).toBe(2);
    expect(await kit.alerts()).toEqual([]);
  });

  it('Firehose error prefix: records re-ingested once, idempotently; a record back again and an unreadable one are archived', async () => {
    const events = ['e-1', 'e-2'].map((id) =>
      JSON.stringify({
        tenant_id: 'acme-corp',
        dt: '2026-11-24',
        device_id: 'pc-9',
        event_id: id,
        ts: '2026-11-24T00:00:00.000Z',
      }),
    );
    const raw = `${events.join('\n')}\n`;
    const errorLine = (data: string) =>
      JSON.stringify({
        attemptsMade: 4,
        arrivalTimestamp: Date.parse('2026-11-24T00:30:00Z'),
        errorCode: 'DynamicPartitioning.ActivePartitionsLimitExceeded',
        errorMessage: 'active partition count exceeded',
        rawData: Buffer.from(data).toString('base64'),
      });
    const key = 'errors/firehose/activePartitionExceeded/2026/11/24/oplake-0-1.gz';
    await kit.lake.put(key, gzipSync(`${errorLine(raw)}\n{"not": "an error record"}\n`));

    const first = await kit.sweep();
    const second = await kit.sweep();

    expect(first.sources.firehose).toMatchObject({
      seen: 2,
      redriven: 1,
      archived: 1,
      transient: 1,
      permanent: 1,
    });
    expect(second.sources.firehose?.seen).toBe(0);
    expect(await kit.lake.get(key)).toBeNull();
    expect(await kit.lakeEvents()).toEqual(['pc-9/e-1', 'pc-9/e-2']);
    expect((await kit.alerts()).map((a) => a.key).sort()).toEqual([
      'firehose_delivery:DynamicPartitioning.ActivePartitionsLimitExceeded',
      'firehose_delivery:Unreadable',
    ]);

    // The same record fails again (a new error object): it is not re-ingested a second time.
    await kit.lake.put(
      'errors/firehose/activePartitionExceeded/2026/11/24/oplake-0-2',
      `${errorLine(raw)}\n`,
    );
    const third = await kit.sweep();
    expect(third.sources.firehose).toMatchObject({ seen: 1, redriven: 0, archived: 1 });
    expect(await kit.lakeEvents()).toEqual(['pc-9/e-1', 'pc-9/e-2']);
    expect((await archived(kit)).map((r) => r.reason).sort()).toEqual(['redrive_limit', 'unreadable']);
  });
});
