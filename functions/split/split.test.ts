import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { type BatchMessage, spoolKey } from '../../shared/domain/batch-message.js';
import { STORED_COLUMNS, type StoredEvent } from '../../shared/domain/event.js';
import { sqsRecord } from '../../shared/local/runtime/sqs-record.js';
import { createObservability } from '../../shared/observability/index.js';
import { DeliveryError, type DeliveryRecord, FIREHOSE_LIMITS } from '../../shared/ports/delivery-stream.js';
import { createSplitHandler } from './create-handler.js';
import { packRecords, type SplitDeps } from './split.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const NOW = new Date('2026-11-24T01:00:00.000Z');

function stored(overrides: Partial<StoredEvent> & { event_id: string }): StoredEvent {
  return {
    tenant_id: 'acme-corp',
    dt: '2026-11-24',
    type: 'app',
    ts: '2026-11-24T00:15:02.123Z',
    device_id: 'pc-001',
    user: 'yamada',
    host: null,
    app: 'excel.exe',
    title: null,
    url: null,
    domain: null,
    path: null,
    op: null,
    duration_ms: null,
    attrs: null,
    batch_id: 'b-1',
    received_at: NOW.toISOString(),
    event_pos: null,
    ...overrides,
  };
}

function linesOf(record: DeliveryRecord): Record<string, unknown>[] {
  const text = Buffer.from(record.data).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('packRecords', () => {
  it('writes JSON lines with every stored column, in column order', () => {
    // Prepare
    const event = stored({ event_id: 'e-1', attrs: '{"cpu":3}' });
    // Act
    const [record] = packRecords([event]);
    // Assess
    expect(record).toMatchObject({ tenantId: 'acme-corp', dt: '2026-11-24', events: 1 });
    const [line] = record ? linesOf(record) : [];
    expect(Object.keys(line ?? {})).toEqual([...STORED_COLUMNS]);
    expect(line).toEqual(event);
  });

  it('puts every event in exactly one record, within the limits, one tenant and date per record', () => {
    const tenants = ['acme-corp', 'globex', 'initech'];
    const dates = ['2026-11-23', '2026-11-24', '2026-11-25'];
    const eventArb = fc.record({
      tenant: fc.constantFrom(...tenants),
      dt: fc.constantFrom(...dates),
      title: fc.option(fc.string({ maxLength: 1024 }), { nil: null }),
      attrs: fc.option(fc.string({ maxLength: 400 }), { nil: null }),
    });
    const limitsArb = fc.oneof(
      fc.constant({
        maxEventsPerRecord: FIREHOSE_LIMITS.maxEventsPerRecord,
        maxRecordBytes: FIREHOSE_LIMITS.maxRecordBytes,
      }),
      fc.record({
        maxEventsPerRecord: fc.integer({ min: 1, max: 20 }),
        maxRecordBytes: fc.integer({ min: 4000, max: 20000 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 1200 }), limitsArb, (specs, limits) => {
        // Prepare
        const events = specs.map((spec, i) =>
          stored({
            event_id: `e-${i}`,
            tenant_id: spec.tenant,
            dt: spec.dt,
            ts: `${spec.dt}T00:00:00.000Z`,
            title: spec.title,
            attrs: spec.attrs === null ? null : JSON.stringify({ note: spec.attrs }),
          }),
        );
        // Act
        const records = packRecords(events, limits);
        // Assess
        const seen: string[] = [];
        for (const record of records) {
          expect(record.events).toBeLessThanOrEqual(limits.maxEventsPerRecord);
          expect(record.data.length).toBeLessThanOrEqual(limits.maxRecordBytes);
          const lines = linesOf(record);
          expect(lines).toHaveLength(record.events);
          for (const line of lines) {
            expect(line.tenant_id).toBe(record.tenantId);
            expect(line.dt).toBe(record.dt);
            seen.push(String(line.event_id));
          }
        }
        expect([...seen].sort()).toEqual(events.map((e) => e.event_id).sort());
      }),
      { numRuns: 60 },
    );
  });

  it('fills records up to 500 events at Firehose limits', () => {
    // Prepare
    const events = Array.from({ length: 1201 }, (_, i) => stored({ event_id: `e-${i}` }));
    // Act
    const records = packRecords(events);
    // Assess
    expect(records.map((r) => r.events)).toEqual([500, 500, 201]);
  });

  it('refuses an event larger than a record rather than splitting it', () => {
    expect(() =>
      packRecords([stored({ event_id: 'e-1', title: 'x'.repeat(200) })], {
        maxEventsPerRecord: 10,
        maxRecordBytes: 100,
      }),
    ).toThrow(RangeError);
  });
});

class MemoryStream {
  readonly records: DeliveryRecord[] = [];
  failTenants = new Set<string>();
  async putRecords(records: readonly DeliveryRecord[]): Promise<void> {
    if (records.some((r) => this.failTenants.has(r.tenantId))) {
      throw new DeliveryError('firehose refused', records.length);
    }
    this.records.push(...records);
  }
}

function batch(overrides: Partial<BatchMessage> = {}): BatchMessage {
  return {
    v: 1,
    tenantId: 'acme-corp',
    batchId: 'b-1',
    deviceId: 'pc-001',
    derivation: 'position',
    receivedAt: NOW.toISOString(),
    events: [
      {
        index: 0,
        deviceId: 'pc-001',
        event: { type: 'app', ts: '2026-11-24T09:15:02.123+09:00', app: 'excel.exe' },
      },
      {
        index: 2,
        deviceId: 'pc-001',
        event: { type: 'web', ts: '2026-11-23T23:00:00Z', url: 'https://Example.com/x' },
      },
    ],
    rejects: [{ index: 1, reason: 'type: is required', event: { ts: 'x' } }],
    ...overrides,
  };
}

function context(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'oplake-split',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:oplake-split',
    memoryLimitInMB: '512',
    awsRequestId: 'req-1',
    logGroupName: '/aws/lambda/oplake-split',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe('split handler', () => {
  let dir: string;
  let stream: MemoryStream;
  let store: FileObjectStore;
  let handler: ReturnType<typeof createSplitHandler>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oplake-split-'));
    stream = new MemoryStream();
    store = new FileObjectStore(dir);
    const deps: SplitDeps = {
      stream,
      store,
      clock: { now: () => NOW },
      obs: createObservability('split', { local: true, logLevel: 'SILENT' }),
    };
    handler = createSplitHandler(deps);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers normalised events per tenant and date and writes the rejects aside', async () => {
    // Prepare
    const event: SQSEvent = { Records: [record(JSON.stringify(batch()), 'm-1')] };
    // Act
    const response = await handler(event, context());
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(stream.records.map((r) => [r.tenantId, r.dt, r.events])).toEqual([
      ['acme-corp', '2026-11-24', 1],
      ['acme-corp', '2026-11-23', 1],
    ]);
    const lines = stream.records.flatMap(linesOf);
    expect(lines[0]).toMatchObject({ ts: '2026-11-24T00:15:02.123Z', device_id: 'pc-001', batch_id: 'b-1' });
    expect(lines[1]).toMatchObject({ domain: 'example.com', type: 'web' });
    const rejects = await store.get('rejects/tenant_id=acme-corp/dt=2026-11-24/b-1~pc-001.json');
    expect(JSON.parse(Buffer.from(rejects ?? []).toString()).rejects).toEqual(batch().rejects);
  });

  it('overwrites the same rejects object when a message is delivered twice', async () => {
    // Prepare
    const body = JSON.stringify(batch());
    // Act
    await handler({ Records: [record(body, 'm-1')] }, context());
    await handler({ Records: [record(body, 'm-1')] }, context());
    // Assess
    const keys: string[] = [];
    for await (const object of store.list('rejects/')) keys.push(object.key);
    expect(keys).toEqual(['rejects/tenant_id=acme-corp/dt=2026-11-24/b-1~pc-001.json']);
  });

  it('fails only the bad messages of a batch (partial batch failure)', async () => {
    // Prepare
    stream.failTenants.add('globex');
    const event: SQSEvent = {
      Records: [
        record(JSON.stringify(batch({ batchId: 'b-ok-1' })), 'm-ok-1'),
        record('{not json', 'm-garbage'),
        record(JSON.stringify({ v: 2, tenantId: 'acme-corp' }), 'm-bad-shape'),
        record(JSON.stringify(batch({ tenantId: 'globex', batchId: 'b-down' })), 'm-stream-down'),
        record(JSON.stringify(batch({ batchId: 'b-ok-2' })), 'm-ok-2'),
      ],
    };
    // Act
    const response = await handler(event, context());
    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'm-bad-shape',
      'm-garbage',
      'm-stream-down',
    ]);
    const delivered = new Set(stream.records.flatMap(linesOf).map((l) => l.batch_id));
    expect(delivered).toEqual(new Set(['b-ok-1', 'b-ok-2']));
  });

  it('follows a claim check, replaces the spool body by its delivery receipt, and acknowledges a redelivery without delivering again', async () => {
    // Prepare
    const key = spoolKey('acme-corp', 'c0ffee');
    await store.put(key, JSON.stringify(batch({ batchId: 'b-spooled' })));
    const message = JSON.stringify({ v: 1, tenantId: 'acme-corp', claimCheck: key });
    // Act
    const first = await handler({ Records: [record(message, 'm-1')] }, context());
    const again = await handler({ Records: [record(message, 'm-1')] }, context());
    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    expect(stream.records.reduce((n, r) => n + r.events, 0)).toBe(2);
    const receipt = JSON.parse(Buffer.from((await store.get(key)) ?? []).toString('utf8')) as unknown;
    expect(receipt).toEqual({
      v: 1,
      kind: 'delivered',
      tenantId: 'acme-corp',
      batchId: 'b-spooled',
      deliveredAt: NOW.toISOString(),
      events: 2,
      records: 2,
      rejected: 1,
    });
    const rejects: string[] = [];
    for await (const object of store.list('rejects/')) rejects.push(object.key);
    expect(rejects).toEqual(['rejects/tenant_id=acme-corp/dt=2026-11-24/b-spooled~pc-001.json']);
  });

  it('fails a claim check whose spool object is gone without a delivery receipt, and delivers nothing', async () => {
    // Prepare: the lifecycle (or anything) removed a body split never delivered.
    const key = spoolKey('acme-corp', 'gone');
    const message = JSON.stringify({ v: 1, tenantId: 'acme-corp', claimCheck: key });
    const failures: string[] = [];
    // Act
    const response = await handler({ Records: [record(message, 'm-gone')] }, context());
    for await (const object of store.list('failures/')) {
      const data = await store.get(object.key);
      failures.push(
        (JSON.parse(Buffer.from(data ?? []).toString('utf8')) as { errorClass: string }).errorClass,
      );
    }
    // Assess: the message stays on the queue (then the DLQ), recorded with its own error class.
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-gone' }]);
    expect(stream.records).toHaveLength(0);
    expect(failures).toEqual(['SpoolObjectMissingError']);
  });

  it('keeps the spool object when delivery fails, so the retry finds it', async () => {
    // Prepare
    stream.failTenants.add('acme-corp');
    const key = spoolKey('acme-corp', 'd00d');
    await store.put(key, JSON.stringify(batch()));
    // Act
    const response = await handler(
      { Records: [record(JSON.stringify({ v: 1, tenantId: 'acme-corp', claimCheck: key }), 'm-1')] },
      context(),
    );
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(await store.get(key)).not.toBeNull();
  });

  it('refuses a claim check outside the tenant spool', async () => {
    // Prepare
    const key = spoolKey('globex', 'x');
    await store.put(key, JSON.stringify(batch({ tenantId: 'globex' })));
    // Act
    const response = await handler(
      { Records: [record(JSON.stringify({ v: 1, tenantId: 'acme-corp', claimCheck: key }), 'm-1')] },
      context(),
    );
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(stream.records).toHaveLength(0);
  });
});

function record(body: string, messageId: string): SQSRecord {
  return sqsRecord({ messageId, body, sentAt: NOW.getTime(), senderId: 'ingest' });
}
