import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  type BatchMessage,
  isClaimCheck,
  parseBatchMessage,
  parseQueueMessage,
} from '../../shared/domain/batch-message.js';
import { contentEventId, positionalEventId } from '../../shared/domain/ids.js';
import { normalizeEvent } from '../../shared/domain/normalize.js';
import { appEvent, jsonBatch, type Kit, makeKit, NOW, TENANT, urlEvent } from './test-kit.js';

let kit: Kit;

afterEach(async () => {
  await kit.cleanup();
});

function batchOf(kitUnderTest: Kit, n = 0): BatchMessage {
  const sent = kitUnderTest.queue.sent[n];
  if (sent === undefined) throw new Error(`no message ${n}`);
  const message = parseQueueMessage(sent.body);
  if (isClaimCheck(message)) throw new Error('unexpected claim check');
  return message;
}

function errorCode(json: Record<string, unknown>): unknown {
  return (json.error as { code?: unknown } | undefined)?.code;
}

describe('ingest: happy paths', () => {
  beforeEach(async () => {
    kit = await makeKit();
  });

  it('accepts a JSON batch: 202, one queue message grouped by tenant, devices from the token', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    const body = jsonBatch('b-000123', [
      appEvent(1, { eventId: 'e-1' }),
      { type: 'web', ts: '2026-11-24T09:16:00+09:00', url: 'https://Intra.example.co.jp/wiki?q=1' },
    ]);
    // Act
    const answer = await kit.handle(urlEvent(body, { token }));
    // Assess
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ batchId: 'b-000123', accepted: 2, rejected: 0, errors: [] });
    expect(kit.queue.sent).toHaveLength(1);
    expect(kit.queue.sent[0]?.groupId).toBe(TENANT);
    const message = batchOf(kit);
    expect(message).toMatchObject({
      v: 1,
      tenantId: TENANT,
      batchId: 'b-000123',
      deviceId: 'pc-001',
      derivation: 'position',
      receivedAt: NOW.toISOString(),
      rejects: [],
    });
    expect(message.events.map((e) => [e.index, e.deviceId])).toEqual([
      [0, 'pc-001'],
      [1, 'pc-001'],
    ]);
  });

  it('accepts the valid events of a mixed batch and lists the rejects (reason, index) in 202 and the message', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    const body = jsonBatch('b-mixed', [
      appEvent(1),
      { type: 'mouse', ts: '2026-11-24T09:15:02Z' },
      appEvent(3, { deviceId: 'pc-999' }),
    ]);
    // Act
    const answer = await kit.handle(urlEvent(body, { token }));
    // Assess
    expect(answer.status).toBe(202);
    expect(answer.json.accepted).toBe(1);
    expect(answer.json.rejected).toBe(2);
    const errors = answer.json.errors as { index: number; reason: string }[];
    expect(errors.map((e) => e.index)).toEqual([1, 2]);
    expect(errors[0]?.reason).toContain('type: must be one of');
    expect(errors[1]?.reason).toContain('deviceId: pc-999 is not the batch');
    const message = batchOf(kit);
    expect(message.rejects[0]).toEqual({
      index: 1,
      reason: errors[0]?.reason,
      event: { type: 'mouse', ts: '2026-11-24T09:15:02Z' },
    });
  });

  it('takes the device from body deviceId, then X-Device-Id, then the event, when the token has no sub', async () => {
    // Prepare
    const token = await kit.token();
    // Act
    const fromBody = await kit.handle(urlEvent(jsonBatch('b-1', [appEvent(1)], 'pc-body'), { token }));
    const fromHeader = await kit.handle(
      urlEvent(jsonBatch('b-2', [appEvent(1)]), { token, headers: { 'x-device-id': 'pc-header' } }),
    );
    const fromEvent = await kit.handle(
      urlEvent(jsonBatch('b-3', [appEvent(1, { deviceId: 'pc-event' }), appEvent(2)]), { token }),
    );
    // Assess
    expect([fromBody.status, fromHeader.status, fromEvent.status]).toEqual([202, 202, 202]);
    expect(batchOf(kit, 0).events[0]?.deviceId).toBe('pc-body');
    expect(batchOf(kit, 1).events[0]?.deviceId).toBe('pc-header');
    expect(batchOf(kit, 2).events.map((e) => e.deviceId)).toEqual(['pc-event']);
    expect(fromEvent.json.errors).toEqual([{ index: 1, reason: expect.stringContaining('no device') }]);
  });

  it('accepts NDJSON (charset allowed, blank lines ignored, a non-JSON line rejected) with content derivation', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    const body = `${JSON.stringify(appEvent(1))}\n\n{not json\r\n${JSON.stringify(appEvent(2))}\n`;
    // Act
    const answer = await kit.handle(
      urlEvent(body, { token, contentType: 'application/x-ndjson; charset=utf-8' }),
    );
    // Assess
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ accepted: 2, rejected: 1 });
    expect(answer.json.errors).toEqual([{ index: 1, reason: expect.stringContaining('line is not JSON') }]);
    const message = batchOf(kit);
    expect(message.derivation).toBe('content');
    expect(message.batchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(message.rejects[0]?.event).toBe('{not json');
  });

  it('accepts a gzip body (base64 in the function URL event)', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    // Act
    const answer = await kit.handle(urlEvent(jsonBatch('b-gz', [appEvent(1)]), { token, gzip: true }));
    // Assess
    expect(answer.status).toBe(202);
    expect(batchOf(kit).events).toHaveLength(1);
  });

  it('derives stable ids: positional for JSON batches, content-based for NDJSON resends', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    const line = JSON.stringify(appEvent(7));
    // Act
    await kit.handle(urlEvent(jsonBatch('b-pos', [appEvent(1), appEvent(2)]), { token }));
    await kit.handle(urlEvent(line, { token, contentType: 'application/x-ndjson' }));
    await kit.handle(urlEvent(line, { token, contentType: 'application/x-ndjson' }));
    // Assess
    const ids = [0, 1, 2].map((n) => {
      const m = batchOf(kit, n);
      return m.events.map((e) => normalizeEvent(e, { ...m, receivedAt: m.receivedAt }).event_id);
    });
    expect(ids[0]).toEqual([
      positionalEventId(TENANT, 'pc-001', 'b-pos', 0),
      positionalEventId(TENANT, 'pc-001', 'b-pos', 1),
    ]);
    expect(ids[1]).toEqual([contentEventId(TENANT, 'pc-001', appEvent(7))]);
    expect(ids[2]).toEqual(ids[1]);
    expect(batchOf(kit, 1).batchId).not.toBe(batchOf(kit, 2).batchId);
  });

  it('claim-checks a message over the queue limit to spool/ and enqueues only its key', async () => {
    // Prepare
    await kit.cleanup();
    kit = await makeKit({ config: { maxQueueMessageBytes: 2000 } });
    const token = await kit.token({ sub: 'pc-001' });
    const events = Array.from({ length: 30 }, (_, i) => appEvent(i));
    // Act
    const answer = await kit.handle(urlEvent(jsonBatch('b-big', events), { token }));
    // Assess
    expect(answer.status).toBe(202);
    const message = parseQueueMessage(kit.queue.sent[0]?.body ?? '');
    expect(isClaimCheck(message)).toBe(true);
    const key = isClaimCheck(message) ? message.claimCheck : '';
    expect(key).toMatch(new RegExp(`^spool/tenant_id=${TENANT}/[0-9a-f-]{36}\\.json$`));
    const spooled = parseBatchMessage(JSON.parse(Buffer.from((await kit.store.get(key)) ?? []).toString()));
    expect(spooled.events).toHaveLength(30);
  });

  it('keeps the spool object when the claim-check message cannot be enqueued (SQS may have stored it anyway)', async () => {
    // Prepare
    await kit.cleanup();
    kit = await makeKit({ config: { maxQueueMessageBytes: 2000 } });
    const token = await kit.token({ sub: 'pc-001' });
    kit.queue.failNext = 1;
    // Act
    const answer = await kit.handle(
      urlEvent(
        jsonBatch(
          'b-big',
          Array.from({ length: 30 }, (_, i) => appEvent(i)),
        ),
        { token },
      ),
    );
    // Assess
    // A failed SendMessage may still have enqueued the pointer (a timeout after SQS stored it): the
    // body stays for split; an orphan is removed by the spool/ lifecycle rule (terraform/spool.tf).
    expect(answer.status).toBe(500);
    const left: string[] = [];
    for await (const object of kit.store.list('spool/')) left.push(object.key);
    expect(kit.puts).toHaveLength(1);
    expect(left).toHaveLength(1);
    const spooled = parseBatchMessage(
      JSON.parse(Buffer.from((await kit.store.get(left[0] ?? '')) ?? []).toString()),
    );
    expect(spooled.batchId).toBe('b-big');
  });
});

describe('ingest: idempotency', () => {
  beforeEach(async () => {
    kit = await makeKit();
  });

  it('answers a replay with the first answer, byte for byte, and enqueues nothing twice', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    const body = jsonBatch('b-replay', [appEvent(1), { type: 'app' }]);
    const first = await kit.handle(urlEvent(body, { token }));
    // Act
    const second = await kit.handle(urlEvent(body, { token }));
    // Assess
    expect(first.status).toBe(202);
    expect(second.status).toBe(first.status);
    expect(second.body).toBe(first.body);
    expect(kit.queue.sent).toHaveLength(1);
  });

  it('replays an NDJSON batch carrying an Idempotency-Key', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    const request = () =>
      urlEvent(JSON.stringify(appEvent(1)), {
        token,
        contentType: 'application/x-ndjson',
        headers: { 'idempotency-key': 'chunk-42' },
      });
    // Act
    const first = await kit.handle(request());
    const second = await kit.handle(request());
    // Assess
    expect(first.json.batchId).toBe('chunk-42');
    expect(second.body).toBe(first.body);
    expect(kit.queue.sent).toHaveLength(1);
  });

  it('answers 409 idempotency_conflict to the same batchId with another payload', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    await kit.handle(urlEvent(jsonBatch('b-conflict', [appEvent(1)]), { token }));
    // Act
    const answer = await kit.handle(urlEvent(jsonBatch('b-conflict', [appEvent(2)]), { token }));
    // Assess
    expect(answer.status).toBe(409);
    expect(errorCode(answer.json)).toBe('idempotency_conflict');
    expect(kit.queue.sent).toHaveLength(1);
  });

  it('keys on the device too: the same batchId from another device is another batch', async () => {
    // Prepare
    const body = jsonBatch('b-shared', [appEvent(1)]);
    // Act
    const a = await kit.handle(urlEvent(body, { token: await kit.token({ sub: 'pc-001' }) }));
    const b = await kit.handle(urlEvent(body, { token: await kit.token({ sub: 'pc-002' }) }));
    // Assess
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(kit.queue.sent).toHaveLength(2);
  });

  it('answers 503 unavailable with Retry-After to a duplicate while the first is in progress', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    const body = jsonBatch('b-race', [appEvent(1)]);
    kit.queue.hold();
    const first = kit.handle(urlEvent(body, { token }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Act
    const duplicate = await kit.handle(urlEvent(body, { token }));
    kit.queue.release();
    // Assess
    expect(duplicate.status).toBe(503);
    expect(errorCode(duplicate.json)).toBe('unavailable');
    expect(Number(duplicate.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await first).status).toBe(202);
    expect(kit.queue.sent).toHaveLength(1);
  });

  it('remembers nothing when the enqueue fails, so the retry is accepted', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    const body = jsonBatch('b-retry', [appEvent(1)]);
    kit.queue.failNext = 1;
    // Act
    const failed = await kit.handle(urlEvent(body, { token }));
    const retried = await kit.handle(urlEvent(body, { token }));
    // Assess
    expect(failed.status).toBe(500);
    expect(errorCode(failed.json)).toBe('internal');
    expect(retried.status).toBe(202);
    expect(kit.queue.sent).toHaveLength(1);
  });

  it('answers 422 no_valid_events, keeps the rejects aside once, and replays the 422', async () => {
    // Prepare
    const token = await kit.token({ sub: 'pc-001' });
    const invalid = Array.from({ length: 25 }, () => ({ type: 'app', ts: 'yesterday' }));
    const body = jsonBatch('b-bad', invalid);
    // Act
    const first = await kit.handle(urlEvent(body, { token }));
    const second = await kit.handle(urlEvent(body, { token }));
    // Assess
    expect(first.status).toBe(422);
    expect(errorCode(first.json)).toBe('no_valid_events');
    const details = (first.json.error as { details: { index: number }[] }).details;
    expect(details).toHaveLength(20);
    expect(details[0]).toEqual({ index: 0, reason: expect.stringContaining('app: is required') });
    expect(second.status).toBe(422);
    expect(second.body).toBe(first.body);
    expect(kit.queue.sent).toHaveLength(0);
    const key = `rejects/tenant_id=${TENANT}/dt=2026-11-24/b-bad~pc-001.json`;
    expect(kit.puts).toEqual([key]);
    const file = JSON.parse(Buffer.from((await kit.store.get(key)) ?? []).toString());
    expect(file.rejects).toHaveLength(25);
    expect(file.rejects[3]).toEqual({ index: 3, reason: expect.any(String), event: invalid[3] });
  });
});
