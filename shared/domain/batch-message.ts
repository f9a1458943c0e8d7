/**
 * What ingest puts on the batch queue and split takes off it (version 1).
 *
 * - `BatchMessage`: the accepted batch itself: the valid events (already validated, with the
 *   device ingest resolved for each) and the rejected ones with their reasons, so split writes
 *   both (events to Firehose, rejects to `rejects/`).
 * - `ClaimCheckMessage`: when the serialised BatchMessage is over MAX_QUEUE_MESSAGE_BYTES, the
 *   BatchMessage is written to the object store under `spool/tenant_id=T/ID.json` and the queue
 *   carries only its key. Split replaces the body by a delivery receipt once the batch is
 *   delivered (shared/ingest/spool.ts).
 */
import { z } from 'zod';
import { EVENT_TYPES } from './event.js';
import { PREFIX } from './layout.js';
import { ID_PATTERN, TENANT_PATTERN } from './limits.js';
import type { IdDerivation, QueuedEvent } from './normalize.js';

export interface RejectedEvent {
  /** Position in the batch as sent. */
  index: number;
  reason: string;
  /** The event as sent (any JSON value; an NDJSON line that is not JSON is kept as its text). */
  event: unknown;
}

export interface BatchMessage {
  v: 1;
  tenantId: string;
  batchId: string;
  /** The batch-level device (token sub, body, header), when there is one. */
  deviceId?: string;
  derivation: IdDerivation;
  /** UTC ISO time ingest accepted the batch. */
  receivedAt: string;
  events: QueuedEvent[];
  rejects: RejectedEvent[];
}

export interface ClaimCheckMessage {
  v: 1;
  tenantId: string;
  /** Object key under spool/ holding the BatchMessage. */
  claimCheck: string;
}

export type QueueMessage = BatchMessage | ClaimCheckMessage;

const id = z.string().regex(ID_PATTERN);
const tenant = z.string().regex(TENANT_PATTERN);

/**
 * Events were validated by ingest (validate.ts); split re-checks only what it relies on, so a
 * message from an older or broken producer fails loudly instead of writing garbage.
 */
const queuedEventSchema = z.object({
  index: z.number().int().min(0),
  deviceId: id,
  event: z.looseObject({
    eventId: id.optional(),
    type: z.enum(EVENT_TYPES),
    ts: z.string(),
    attrs: z.record(z.string(), z.unknown()).optional(),
  }),
});

const batchMessageSchema = z.object({
  v: z.literal(1),
  tenantId: tenant,
  batchId: id,
  deviceId: id.optional(),
  derivation: z.enum(['position', 'content']),
  receivedAt: z.iso.datetime(),
  events: z.array(queuedEventSchema),
  rejects: z.array(z.object({ index: z.number().int().min(0), reason: z.string(), event: z.unknown() })),
});

const claimCheckSchema = z.object({
  v: z.literal(1),
  tenantId: tenant,
  claimCheck: z.string().min(1),
});

export class BatchMessageError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'BatchMessageError';
  }
}

/** Parses a queue body (JSON text) into either form; BatchMessageError when it is neither. */
export function parseQueueMessage(body: string): QueueMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new BatchMessageError('queue message is not JSON', { cause: error });
  }
  if (value !== null && typeof value === 'object' && 'claimCheck' in value) {
    const parsed = claimCheckSchema.safeParse(value);
    if (!parsed.success) throw new BatchMessageError(`bad claim-check message: ${summary(parsed.error)}`);
    const expected = spoolPrefix(parsed.data.tenantId);
    if (!parsed.data.claimCheck.startsWith(expected)) {
      throw new BatchMessageError(`claim check ${parsed.data.claimCheck} is outside ${expected}`);
    }
    return parsed.data;
  }
  return parseBatchMessage(value);
}

/** Validates a decoded BatchMessage (from the queue or from a spool object). */
export function parseBatchMessage(value: unknown): BatchMessage {
  const parsed = batchMessageSchema.safeParse(value);
  if (!parsed.success) throw new BatchMessageError(`bad batch message: ${summary(parsed.error)}`);
  return parsed.data as BatchMessage;
}

export function isClaimCheck(message: QueueMessage): message is ClaimCheckMessage {
  return 'claimCheck' in message;
}

export function spoolPrefix(tenantId: string): string {
  return `${PREFIX.spool}tenant_id=${tenantId}/`;
}

export function spoolKey(tenantId: string, objectId: string): string {
  return `${spoolPrefix(tenantId)}${objectId}.json`;
}

function summary(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
