/**
 * The split core: one batch message in, Firehose records and a rejects file out.
 *
 * Per message: load the claim check (if any) from the spool, normalise every event
 * (normalize.ts), pack them into JSON Lines records of one tenant and one date each (at most
 * 500 events and 1,000 KiB a record, FIREHOSE_LIMITS), put them on the tenant's stream, write the
 * rejects to `rejects/tenant_id=T/dt=<received date>/...` (same key on a redelivery), and replace
 * the spool body by its delivery receipt last (shared/ingest/spool.ts: a receipt acknowledges a
 * redelivery without delivering again; a spool object that is simply gone is a fault,
 * SpoolObjectMissingError, never taken for "delivered"). Any failure throws: the message stays on
 * the queue, is retried, and after maxReceiveCount goes to the DLQ (each failure is recorded
 * beside it for the dlq-sweeper, shared/dlq/failure-record.ts). A redelivery after a partial
 * success puts the same events again with the same ids; every reader dedups by
 * (tenant, device_id, event_id).
 */
import type { SQSRecord } from 'aws-lambda';
import { recordFailureQuietly } from '../../shared/dlq/failure-record.js';
import {
  type BatchMessage,
  isClaimCheck,
  parseQueueMessage,
  type QueueMessage,
  type RejectedEvent,
} from '../../shared/domain/batch-message.js';
import { STORED_COLUMNS, type StoredEvent } from '../../shared/domain/event.js';
import { normalizeEvent } from '../../shared/domain/normalize.js';
import { writeRejects } from '../../shared/ingest/rejects.js';
import { readSpool, recordDelivery } from '../../shared/ingest/spool.js';
import { MetricUnit, type Observability } from '../../shared/observability/index.js';
import type { Clock } from '../../shared/ports/clock.js';
import {
  type DeliveryRecord,
  type DeliveryStream,
  FIREHOSE_LIMITS,
} from '../../shared/ports/delivery-stream.js';
import type { ObjectStore } from '../../shared/ports/object-store.js';
import { batchUsage } from '../../shared/usage/entries.js';
import type { UsageMeter } from '../../shared/usage/meter.js';

export interface SplitDeps {
  stream: DeliveryStream;
  store: ObjectStore;
  clock: Clock;
  obs: Observability;
  /** Usage per tenant and day (events accepted/rejected); flushed once per invocation. */
  usage?: UsageMeter;
}

export interface PackLimits {
  maxEventsPerRecord: number;
  maxRecordBytes: number;
}

export interface SplitOutcome {
  tenantId: string;
  batchId: string | null;
  delivered: number;
  records: number;
  rejected: number;
  /** The claim check's spool object is a delivery receipt: the batch was delivered before. */
  alreadyDelivered: boolean;
}

/** One stored event as one JSON line (columns in STORED_COLUMNS order), without the newline. */
export function toJsonLine(event: StoredEvent): string {
  // A replacer array both picks and orders the keys (StoredEvent has no nested objects).
  return JSON.stringify(event, STORED_COLUMNS as unknown as string[]);
}

/**
 * Packs stored events into delivery records: one tenant and one date per record, at most
 * `maxEventsPerRecord` events and `maxRecordBytes` bytes (newlines included) each, events in
 * their input order within a (tenant, date). Pure: benchmarks and tests call it directly.
 */
export function packRecords(
  events: readonly StoredEvent[],
  limits: PackLimits = FIREHOSE_LIMITS,
): DeliveryRecord[] {
  const groups = new Map<string, { tenantId: string; dt: string; lines: string[]; sizes: number[] }>();
  for (const event of events) {
    const key = `${event.tenant_id}\u0000${event.dt}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { tenantId: event.tenant_id, dt: event.dt, lines: [], sizes: [] };
      groups.set(key, group);
    }
    const line = `${toJsonLine(event)}\n`;
    const size = Buffer.byteLength(line, 'utf8');
    if (size > limits.maxRecordBytes) {
      throw new RangeError(
        `event ${event.event_id} takes ${size} bytes, more than a record's ${limits.maxRecordBytes}`,
      );
    }
    group.lines.push(line);
    group.sizes.push(size);
  }
  const records: DeliveryRecord[] = [];
  for (const group of groups.values()) {
    let start = 0;
    let bytes = 0;
    const flush = (end: number) => {
      if (end === start) return;
      records.push({
        tenantId: group.tenantId,
        dt: group.dt,
        data: Buffer.from(group.lines.slice(start, end).join(''), 'utf8'),
        events: end - start,
      });
      start = end;
      bytes = 0;
    };
    for (let i = 0; i < group.lines.length; i++) {
      const size = group.sizes[i] ?? 0;
      if (i - start >= limits.maxEventsPerRecord || bytes + size > limits.maxRecordBytes) flush(i);
      bytes += size;
    }
    flush(group.lines.length);
  }
  return records;
}

/** Normalises a batch's events; an event that cannot be normalised joins the rejects. */
export function normalizeBatch(batch: BatchMessage): { events: StoredEvent[]; rejects: RejectedEvent[] } {
  const events: StoredEvent[] = [];
  const rejects: RejectedEvent[] = [...batch.rejects];
  for (const item of batch.events) {
    try {
      events.push(normalizeEvent(item, batch));
    } catch (error) {
      if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
      rejects.push({ index: item.index, reason: `not storable: ${error.message}`, event: item.event });
    }
  }
  return { events, rejects };
}

/**
 * The batch a queue message carries, or the one its claim check points at (with the spool key);
 * null when the spool object is the receipt of an earlier delivery. A spool object that is gone
 * throws SpoolObjectMissingError: never delivered, so never acknowledged.
 */
async function loadBatch(
  message: QueueMessage,
  deps: SplitDeps,
): Promise<{ batch: BatchMessage; spoolKey: string | null } | null> {
  if (!isClaimCheck(message)) return { batch: message, spoolKey: null };
  const spooled = await readSpool(deps.store, message.claimCheck, message.tenantId);
  if (spooled.kind === 'batch') return { batch: spooled.batch, spoolKey: message.claimCheck };
  deps.obs.logger.info('claim-checked batch was delivered before', {
    key: message.claimCheck,
    batchId: spooled.receipt.batchId,
    deliveredAt: spooled.receipt.deliveredAt,
  });
  return null;
}

/** Processes one queue message body end to end (see the file comment). */
export async function processMessage(body: string, deps: SplitDeps): Promise<SplitOutcome> {
  const message = parseQueueMessage(body);
  const loaded = await loadBatch(message, deps);
  if (loaded === null) {
    // A redelivery of a message already processed: its receipt says so; deliver nothing again.
    const none = { batchId: null, delivered: 0, records: 0, rejected: 0 };
    return { tenantId: message.tenantId, ...none, alreadyDelivered: true };
  }
  const { batch, spoolKey } = loaded;

  const { events, rejects } = normalizeBatch(batch);
  const records = packRecords(events);
  if (records.length > 0) await deps.stream.putRecords(records);
  await writeRejects(deps.store, { ...batch, rejects });
  deps.usage?.record(batchUsage(batch, events.length, rejects.length));
  if (spoolKey !== null) {
    await deps.usage?.flush(); // before the receipt, which also means "counted"
    await recordDelivery(deps.store, spoolKey, {
      v: 1,
      kind: 'delivered',
      tenantId: batch.tenantId,
      batchId: batch.batchId,
      deliveredAt: deps.clock.now().toISOString(),
      events: events.length,
      records: records.length,
      rejected: rejects.length,
    });
  }

  const lagMs = deps.clock.now().getTime() - Date.parse(batch.receivedAt);
  deps.obs.metrics.addMetric('acceptToDeliveryLag', MetricUnit.Milliseconds, Math.max(0, lagMs));
  deps.obs.metrics.addMetric('deliveredEvents', MetricUnit.Count, events.length);
  deps.obs.metrics.addMetric('deliveredRecords', MetricUnit.Count, records.length);
  return {
    tenantId: batch.tenantId,
    batchId: batch.batchId,
    delivered: events.length,
    records: records.length,
    rejected: rejects.length,
    alreadyDelivered: false,
  };
}

/** One SQS record: processed, or logged (tenant, messageId) and rethrown for a partial batch failure. */
export async function processRecord(record: SQSRecord, deps: SplitDeps): Promise<SplitOutcome> {
  try {
    const outcome = await processMessage(record.body, deps);
    deps.obs.logger.info('batch delivered', { messageId: record.messageId, ...outcome });
    return outcome;
  } catch (error) {
    deps.obs.logger.error('batch message failed; it will be retried, then dead-lettered', {
      messageId: record.messageId,
      tenantId: tenantOf(record),
      receiveCount: record.attributes?.ApproximateReceiveCount,
      error,
    });
    // What the dlq-sweeper classifies the message by, should it reach the DLQ.
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount);
    await recordFailureQuietly(
      deps.store,
      {
        body: record.body,
        error,
        recordedBy: 'split',
        now: deps.clock.now(),
        ...(Number.isInteger(receiveCount) && receiveCount > 0 ? { receiveCount } : {}),
      },
      (message, extra) => deps.obs.logger.warn(message, extra),
    );
    throw error;
  }
}

function tenantOf(record: SQSRecord): string | null {
  const match = /"tenantId"\s*:\s*"([a-z0-9-]{3,63})"/.exec(record.body);
  return match?.[1] ?? null;
}
