/**
 * Settling the batches a crash interrupted (local mode, at start).
 *
 * A batch whose accept step was running when the process died leaves an in-progress idempotency
 * record; its retry would answer 503 until the record's in-progress expiry passes (the invoking
 * Lambda's remaining time, 30 s locally). Local mode owns its store and queue alone, so at start,
 * before it serves a request, it settles each such record from the queue's truth:
 *
 * - the batch is on the queue (enqueued, then the process died before the record was completed):
 *   the record is completed with the 202 the accept step would have stored, so the retry is a
 *   replay and nothing is queued twice;
 * - it is not (the process died before the message was durable, or split already took it off the
 *   queue): the record is removed, so the retry is accepted at once. In the second case split may
 *   deliver the batch twice; its event ids are derived from the batch id and position (or the
 *   content), so search and the nightly conversion see each event once.
 *
 * On Lambda nothing settles at start: an in-progress record expires with the invocation's
 * remaining time (Powertools' `inProgressExpiryTimestamp`), after which a retry runs again;
 * until then a retry gets 503 with Retry-After (docs/security.md, functions/ingest/README.md).
 */
import type { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { BatchMessage } from '../../shared/domain/batch-message.js';
import type { Clock } from '../../shared/ports/clock.js';
import {
  acceptedAnswer,
  type IdempotencyClaim,
  INGEST_KEY_PREFIX,
  type IngestConfig,
  ingestIdempotencyConfig,
} from './ingest.js';

type JSONValue = NonNullable<IdempotencyRecord['responseData']>;

/** An idempotency store that can list and settle in-progress records (FileIdempotencyStore). */
export interface SettleableIdempotencyStore {
  configure: BasePersistenceLayer['configure'];
  inProgressKeys(): Promise<string[]>;
  keyOf(data: JSONValue): string;
  complete(idempotencyKey: string, responseData: JSONValue, expiryTimestamp: number): Promise<boolean>;
  release(idempotencyKey: string): Promise<boolean>;
}

export interface SettleSummary {
  /** Records completed from the queue: their retries are replays. */
  replayed: number;
  /** Records removed: their retries are accepted anew. */
  released: number;
}

export async function settleInterruptedBatches(deps: {
  idempotency: SettleableIdempotencyStore;
  /** Every batch on the queue (ready, in flight or dead-lettered), claim checks resolved. */
  queuedBatches: () => Promise<BatchMessage[]>;
  config: IngestConfig;
  clock: Clock;
}): Promise<SettleSummary> {
  const { idempotency, config } = deps;
  const interrupted = new Set(await idempotency.inProgressKeys());
  if (interrupted.size === 0) return { replayed: 0, released: 0 };
  idempotency.configure({ config: ingestIdempotencyConfig(config), keyPrefix: INGEST_KEY_PREFIX });
  const expiry = Math.round(deps.clock.now().getTime() / 1000 + config.idempotencyTtlSeconds);

  let replayed = 0;
  for (const message of await deps.queuedBatches()) {
    const claim: IdempotencyClaim['key'] = {
      tenantId: message.tenantId,
      deviceId: message.deviceId ?? '',
      batchId: message.batchId,
    };
    const key = idempotency.keyOf({ key: claim });
    if (!interrupted.delete(key)) continue;
    const answer = acceptedAnswer(message);
    if (await idempotency.complete(key, { statusCode: answer.statusCode, body: answer.body }, expiry))
      replayed++;
  }
  let released = 0;
  for (const key of interrupted) if (await idempotency.release(key)) released++;
  return { replayed, released };
}
