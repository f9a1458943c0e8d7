/**
 * What a failing function records about a message it could not process, so the dlq-sweeper can
 * classify the message once it reaches a dead-letter queue (SQS moves it there by itself after
 * maxReceiveCount, without the error). One small JSON object beside the message, keyed by the
 * SHA-256 of the message body (the body is what survives a move to the DLQ and a redrive; message
 * ids change on a re-send):
 *
 *   failures/<sha256(body)>.json  {errorClass, message, transient, attempts, firstFailureAt, lastFailureAt, redrives, lastRedriveAt}
 *
 * The sweeper adds `redrives` and `lastRedriveAt` when it redrives the message (the bounded
 * redrive counter). Records expire through the bucket's lifecycle rule (Terraform) or are
 * removed by the sweeper once their message is archived.
 */
import { createHash } from 'node:crypto';
import { PREFIX } from '../domain/layout.js';
import type { ObjectStore } from '../ports/object-store.js';

export interface FailureRecord {
  /** sha256 of the message body, hex. */
  bodyHash: string;
  /** The error's `name` (its class): `DeliveryError`, `ThrottlingException`, `BatchMessageError`... */
  errorClass: string;
  message: string;
  /** What the error itself says about retrying: SDK `$retryable`, a 5xx, throttling; null when it says nothing. */
  transient: boolean | null;
  /** Failed attempts recorded (at least the queue's receive count when known). */
  attempts: number;
  firstFailureAt: string;
  lastFailureAt: string;
  /** Which function recorded it last. */
  recordedBy: string;
  /** Times the sweeper sent the message back to its queue. */
  redrives: number;
  lastRedriveAt: string | null;
  /** Firehose error records: the error object the record was last re-ingested from. */
  origin?: string;
}

export interface DescribedError {
  errorClass: string;
  message: string;
  transient: boolean | null;
}

const MAX_MESSAGE = 2000;

export function bodyHash(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

export function failureKey(body: string): string {
  return `${PREFIX.failures}${bodyHash(body)}.json`;
}

interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
}

/** Class, message and the error's own retry hint, following `cause` to the deepest SDK error. */
export function describeError(error: unknown): DescribedError {
  if (!(error instanceof Error)) {
    return { errorClass: 'NonError', message: String(error).slice(0, MAX_MESSAGE), transient: null };
  }
  let transient: boolean | null = null;
  const messages: string[] = [];
  for (let e: unknown = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const like = e as SdkErrorLike;
    if (typeof like.message === 'string' && like.message !== '') messages.push(like.message);
    const status = like.$metadata?.httpStatusCode;
    if (like.$retryable !== undefined || (typeof status === 'number' && status >= 500)) transient = true;
    else if (like.$fault === 'client' && transient === null && typeof status === 'number' && status !== 429)
      transient = false;
    if (typeof status === 'number' && status === 429) transient = true;
    if (typeof like.code === 'string' && /^E(CONNRESET|TIMEDOUT|PIPE|CONNREFUSED|AI_AGAIN)$/.test(like.code))
      transient = true;
    e = like.cause;
  }
  return {
    errorClass: error.name || 'Error',
    message: messages.join(': ').slice(0, MAX_MESSAGE),
    transient,
  };
}

export async function readFailure(store: ObjectStore, body: string): Promise<FailureRecord | null> {
  const data = await store.get(failureKey(body));
  if (data === null) return null;
  try {
    return JSON.parse(Buffer.from(data).toString('utf8')) as FailureRecord;
  } catch {
    // A torn or foreign object says nothing usable; the sweeper classifies without it.
    return null;
  }
}

export async function writeFailure(store: ObjectStore, body: string, record: FailureRecord): Promise<void> {
  await store.put(failureKey(body), JSON.stringify(record), { contentType: 'application/json' });
}

/**
 * Adds one failed attempt to the message's record (creating it on the first). `receiveCount` is
 * the queue's count for this delivery, when the consumer knows it.
 */
export async function recordFailure(
  store: ObjectStore,
  input: { body: string; error: unknown; recordedBy: string; now: Date; receiveCount?: number },
): Promise<FailureRecord> {
  const previous = await readFailure(store, input.body);
  const described = describeError(input.error);
  const at = input.now.toISOString();
  const record: FailureRecord = {
    bodyHash: bodyHash(input.body),
    ...described,
    attempts: Math.max((previous?.attempts ?? 0) + 1, input.receiveCount ?? 0),
    firstFailureAt: previous?.firstFailureAt ?? at,
    lastFailureAt: at,
    recordedBy: input.recordedBy,
    redrives: previous?.redrives ?? 0,
    lastRedriveAt: previous?.lastRedriveAt ?? null,
  };
  await writeFailure(store, input.body, record);
  return record;
}

/** For SQS consumers: record a failure without ever hiding the original error. */
export async function recordFailureQuietly(
  store: ObjectStore,
  input: Parameters<typeof recordFailure>[1],
  warn: (message: string, extra: Record<string, unknown>) => void,
): Promise<void> {
  try {
    await recordFailure(store, input);
  } catch (error) {
    warn('could not record the failure for the dlq-sweeper; it will classify the message without it', {
      error: describeError(error),
    });
  }
}
