/**
 * A claim check's spool object (`spool/tenant_id=T/ID.json`) through its life:
 *
 *   ingest writes the BatchMessage there, then enqueues the claim check (the pointer)
 *   split delivers the batch, then overwrites the object with a delivery receipt (the body is gone)
 *   the lake's lifecycle rule removes whatever is left once no pointer can exist any more
 *
 * Delivery is recorded, never inferred from absence: a receipt means "delivered, acknowledge";
 * no object at all means the body was lost before delivery (expired, deleted by hand), a fault
 * (SpoolObjectMissingError) that keeps the message on the queue until it is dead-lettered, archived
 * and alerted on. The receipt sits at the body's key, so it shares the body's lifecycle rule, tenant
 * deletion and IAM scope, and the overwrite replaces body and receipt in one PUT (S3 is strongly
 * consistent: a reader sees one or the other). The expiry (terraform/spool.tf) outlives every
 * pointer: the queue, its DLQ, the sweeper's redrives and the dead-letter archive.
 */
import { z } from 'zod';
import { type BatchMessage, BatchMessageError, parseBatchMessage } from '../domain/batch-message.js';
import type { ObjectStore } from '../ports/object-store.js';

/** What replaces a delivered batch's body. */
export interface SpoolReceipt {
  v: 1;
  kind: 'delivered';
  tenantId: string;
  batchId: string;
  deliveredAt: string;
  events: number;
  records: number;
  rejected: number;
}

const count = z.number().int().min(0);

const receiptSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('delivered'),
    tenantId: z.string(),
    batchId: z.string(),
    deliveredAt: z.iso.datetime(),
    events: count,
    records: count,
    rejected: count,
  })
  .strict();

export type SpoolContent =
  | { kind: 'batch'; batch: BatchMessage }
  | { kind: 'delivered'; receipt: SpoolReceipt };

/** The claim check names a spool object that is not there and no receipt says it was delivered. */
export class SpoolObjectMissingError extends Error {
  constructor(readonly key: string) {
    super(
      `spool object ${key} is missing and no delivery receipt exists: the batch was never delivered (expired or deleted before delivery)`,
    );
    this.name = 'SpoolObjectMissingError';
  }
}

/** The spool object of a claim check of `tenantId`: the batch, or the receipt of its delivery. */
export async function readSpool(store: ObjectStore, key: string, tenantId: string): Promise<SpoolContent> {
  const data = await store.get(key);
  if (data === null) throw new SpoolObjectMissingError(key);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (error) {
    throw new BatchMessageError(`spool object ${key} is not JSON`, { cause: error });
  }
  const content: SpoolContent = isReceipt(decoded)
    ? { kind: 'delivered', receipt: parseReceipt(key, decoded) }
    : { kind: 'batch', batch: parseBatchMessage(decoded) };
  const owner = content.kind === 'batch' ? content.batch.tenantId : content.receipt.tenantId;
  if (owner !== tenantId)
    throw new BatchMessageError(`spool object ${key} holds tenant ${owner}, not ${tenantId}`);
  return content;
}

/** Replaces the delivered batch's body by its receipt (after every other effect of the delivery). */
export async function recordDelivery(store: ObjectStore, key: string, receipt: SpoolReceipt): Promise<void> {
  await store.put(key, JSON.stringify(receipt), { contentType: 'application/json' });
}

function isReceipt(value: unknown): boolean {
  return value !== null && typeof value === 'object' && 'kind' in value;
}

function parseReceipt(key: string, value: unknown): SpoolReceipt {
  const parsed = receiptSchema.safeParse(value);
  if (!parsed.success) throw new BatchMessageError(`spool object ${key} is not a delivery receipt`);
  return parsed.data;
}
