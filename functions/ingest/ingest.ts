/**
 * The ingest core (CONTRACT.md "Ingest: POST /v1/events"): route, token, body, devices, rate
 * limit, per-event validation, then the accept step: one queue message per batch (claim-checked
 * to the spool above the queue's size limit) and the 202 answer, or, when no event is valid, the
 * rejects written aside and the 422 answer.
 *
 * Design choices (documented for the contract's open points):
 * - Routing: only `POST /v1/events`. Any other path, and any other method on that path, is 404
 *   `not_found` (the contract has no 405 code); the message names the route to use. Routing runs
 *   before authentication, so probing routes needs no token but reveals nothing tenant-specific.
 * - Devices: the batch device is the token's `sub`, else the body's `deviceId`, else
 *   `X-Device-Id`. A body `deviceId` or header that differs from `sub` is 403 `forbidden` (the
 *   whole batch is someone else's). An event whose own `deviceId` differs from the batch device
 *   is rejected (reason given) while its neighbours are accepted; with no batch device the
 *   event's own `deviceId` is used, and an event with none is rejected.
 * - Idempotency (only with a batch id: JSON `batchId`, or NDJSON `Idempotency-Key`): Powertools
 *   `makeIdempotent` around the accept step, key (tenant, device, batchId), payload fingerprint
 *   SHA-256 of the canonical events. The stored answer is the HTTP status and body, so a replay
 *   (202 or 422) is byte-identical. A failed accept (queue or store down) deletes the in-progress
 *   record, so the retry runs again; a duplicate arriving while the first is running gets 503
 *   with Retry-After.
 * - Rate limit after parsing (the cost is known then), before validation and the accept step.
 */
import { randomUUID } from 'node:crypto';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyInconsistentStateError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { bearerToken, type KeySetSource, requireScope, verifyToken } from '../../shared/auth/tokens.js';
import { type BatchMessage, type RejectedEvent, spoolKey } from '../../shared/domain/batch-message.js';
import { canonicalJson, sha256Hex } from '../../shared/domain/ids.js';
import { LIMITS } from '../../shared/domain/limits.js';
import type { IdDerivation, QueuedEvent } from '../../shared/domain/normalize.js';
import {
  IdempotencyConflictError,
  NotFoundError,
  NoValidEventsError,
  RateLimitedError,
  UnavailableError,
} from '../../shared/errors.js';
import { type HttpResult, json } from '../../shared/http/responses.js';
import { type BodyLimits, decodeBody, parseBody } from '../../shared/ingest/body.js';
import type { RateLimiter } from '../../shared/ingest/rate-limiter.js';
import { writeRejects } from '../../shared/ingest/rejects.js';
import { MetricUnit, type Observability } from '../../shared/observability/index.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { ObjectStore } from '../../shared/ports/object-store.js';
import { MAX_QUEUE_MESSAGE_BYTES, type MessageQueue } from '../../shared/ports/queue.js';
import { rejectedBatchUsage } from '../../shared/usage/entries.js';
import type { UsageMeter } from '../../shared/usage/meter.js';
import { asSent, batchDevice, headerId, judge } from './batch.js';

export const INGEST_ROUTE = '/v1/events';

export interface IngestConfig {
  /** Size and count limits; the contract's by default. */
  limits: BodyLimits;
  /** Bodies above this go to the spool with a claim check on the queue. */
  maxQueueMessageBytes: number;
  /** How long a batch id is remembered for replays. */
  idempotencyTtlSeconds: number;
  /** Retry-After of the 503 answered to a duplicate of a batch still being accepted. */
  inProgressRetryAfterSeconds: number;
  /** When the invocation context cannot tell its remaining time (local mode). */
  fallbackRemainingMillis: number;
}

export const DEFAULT_INGEST_CONFIG: Readonly<IngestConfig> = Object.freeze({
  limits: LIMITS,
  maxQueueMessageBytes: MAX_QUEUE_MESSAGE_BYTES,
  idempotencyTtlSeconds: 24 * 60 * 60,
  inProgressRetryAfterSeconds: 2,
  fallbackRemainingMillis: 30_000,
});

export interface IngestDeps {
  keys: KeySetSource;
  queue: MessageQueue;
  /** The lake bucket: spool/ (claim checks) and rejects/ (batches with no valid event). */
  store: ObjectStore;
  idempotency: BasePersistenceLayer;
  limiter: RateLimiter;
  clock: Clock;
  obs: Observability;
  config: IngestConfig;
  /** Usage per tenant and day: batches with no valid event never reach split, so they are metered here. */
  usage?: UsageMeter;
}

/** The parts of a function URL request ingest reads. */
export interface IngestRequest {
  method: string;
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string | undefined>;
  body: string | undefined;
  isBase64Encoded: boolean;
}

/** What the accept step answers, and what a replay answers again: status and exact body. */
export interface IngestAnswer {
  statusCode: number;
  body: string;
}

/** What the idempotency record is keyed and fingerprinted on. */
export interface IdempotencyClaim {
  key: { tenantId: string; deviceId: string; batchId: string };
  fingerprint: string;
}

/** The prefix of ingest's idempotency keys (Powertools `keyPrefix`). */
export const INGEST_KEY_PREFIX = 'oplake-ingest';

/** How ingest's idempotency records are keyed, fingerprinted and expired. */
export function ingestIdempotencyConfig(config: IngestConfig): IdempotencyConfig {
  return new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'fingerprint',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: config.idempotencyTtlSeconds,
    hashFunction: 'sha256',
  });
}

/** The 202 answer of an accepted batch, as built from what went on the queue. */
export function acceptedAnswer(message: Pick<BatchMessage, 'batchId' | 'events' | 'rejects'>): IngestAnswer {
  return {
    statusCode: 202,
    body: JSON.stringify({
      batchId: message.batchId,
      accepted: message.events.length,
      rejected: message.rejects.length,
      errors: listedErrors(message.rejects),
    }),
  };
}

function listedErrors(rejects: readonly RejectedEvent[]): { index: number; reason: string }[] {
  return rejects.slice(0, LIMITS.maxListedErrors).map(({ index, reason }) => ({ index, reason }));
}

interface PreparedBatch {
  tenantId: string;
  batchId: string;
  deviceId: string | undefined;
  derivation: IdDerivation;
  events: QueuedEvent[];
  rejects: RejectedEvent[];
}

export type Ingest = (request: IngestRequest, context: Context) => Promise<HttpResult>;

export function createIngest(deps: IngestDeps): Ingest {
  const { obs, config } = deps;
  const idempotencyConfig = ingestIdempotencyConfig(config);
  const acceptOnce = makeIdempotent(
    async (_claim: IdempotencyClaim, batch: PreparedBatch): Promise<IngestAnswer> => accept(deps, batch),
    {
      persistenceStore: deps.idempotency,
      config: idempotencyConfig,
      keyPrefix: INGEST_KEY_PREFIX,
      dataIndexArgument: 0,
    },
  );

  return async (request, context) => {
    route(request);
    const keySet = await deps.keys.load();
    const claims = await verifyToken(keySet, bearerToken(request.headers), deps.clock.now());
    const tenantId = requireScope(claims, 'ingest');
    obs.logger.appendKeys({ tenantId });

    const decoded = await decodeBody(
      {
        contentType: request.headers['content-type'],
        contentEncoding: request.headers['content-encoding'],
        body: request.body,
        isBase64Encoded: request.isBase64Encoded,
      },
      config.limits,
    );
    const body = parseBody(decoded, config.limits);
    const deviceId = batchDevice(claims.sub, body, request.headers);
    const idempotencyKey = headerId(request.headers, 'idempotency-key');
    const batchId = body.batchId ?? idempotencyKey ?? randomUUID();
    const replayProtected = body.batchId !== undefined || idempotencyKey !== undefined;

    const verdict = deps.limiter.take(tenantId, body.entries.length, decoded.data.length);
    if (!verdict.allowed) {
      obs.metrics.addMetric('rateLimitedRequests', MetricUnit.Count, 1);
      throw new RateLimitedError(`tenant ${tenantId} is over its ingest rate; retry later`, {
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
    }

    const batch: PreparedBatch = {
      tenantId,
      batchId,
      deviceId,
      derivation: body.format === 'json' ? 'position' : 'content',
      ...judge(body.entries, deviceId),
    };

    let answer: IngestAnswer;
    if (!replayProtected) {
      answer = await accept(deps, batch);
    } else {
      const claim: IdempotencyClaim = {
        key: { tenantId, deviceId: deviceId ?? '', batchId },
        fingerprint: sha256Hex(canonicalJson(body.entries.map(asSent))),
      };
      idempotencyConfig.registerLambdaContext({
        ...context,
        getRemainingTimeInMillis: () => remainingMillis(context, config.fallbackRemainingMillis),
      });
      answer = await acceptIdempotently(() => acceptOnce(claim, batch), batch, config);
    }
    return { ...json(answer.statusCode, {}), body: answer.body };
  };
}

function route(request: IngestRequest): void {
  const path = request.path.length > 1 ? request.path.replace(/\/+$/, '') : request.path;
  if (path !== INGEST_ROUTE || request.method.toUpperCase() !== 'POST') {
    throw new NotFoundError(
      `no route ${request.method.toUpperCase()} ${request.path}; ingest is POST ${INGEST_ROUTE}`,
    );
  }
}

function remainingMillis(context: Context, fallback: number): number {
  const remaining =
    typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Number.NaN;
  return Number.isFinite(remaining) && remaining > 0 ? remaining : fallback;
}

/** Runs the idempotent accept step and maps Powertools' outcomes to the contract. */
async function acceptIdempotently(
  run: () => Promise<IngestAnswer>,
  batch: PreparedBatch,
  config: IngestConfig,
): Promise<IngestAnswer> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof IdempotencyValidationError) {
      throw new IdempotencyConflictError(
        `batch ${batch.batchId} was already received with a different payload`,
        { cause: error },
      );
    }
    if (error instanceof IdempotencyAlreadyInProgressError) {
      throw new UnavailableError(`batch ${batch.batchId} is being accepted by another request; retry`, {
        cause: error,
        retryAfterSeconds: config.inProgressRetryAfterSeconds,
      });
    }
    if (
      error instanceof IdempotencyPersistenceLayerError ||
      error instanceof IdempotencyInconsistentStateError
    ) {
      throw new UnavailableError('the idempotency store is unavailable; retrying is safe', {
        cause: error,
        retryAfterSeconds: config.inProgressRetryAfterSeconds,
      });
    }
    throw error;
  }
}

/**
 * The accept step: durable before it answers. Valid events (and the rejects beside them) go to
 * the queue in one message; with no valid event, the rejects go to the store and the answer is
 * 422. Throws (nothing answered, nothing remembered) when the queue or the store fails.
 */
async function accept(deps: IngestDeps, batch: PreparedBatch): Promise<IngestAnswer> {
  const { obs } = deps;
  const receivedAt = deps.clock.now().toISOString();
  const errors = listedErrors(batch.rejects);
  obs.metrics.addMetric('rejectedEvents', MetricUnit.Count, batch.rejects.length);

  if (batch.events.length === 0) {
    const key = await writeRejects(deps.store, { ...batch, receivedAt });
    deps.usage?.record(rejectedBatchUsage(batch, receivedAt));
    await deps.usage?.flush();
    obs.logger.info('batch has no valid event', {
      batchId: batch.batchId,
      rejected: batch.rejects.length,
      key,
    });
    const error = new NoValidEventsError('no event of the batch is valid', { details: errors });
    return {
      statusCode: error.status,
      body: JSON.stringify({ error: { code: error.code, message: error.message, details: errors } }),
    };
  }

  const message: BatchMessage = {
    v: 1,
    tenantId: batch.tenantId,
    batchId: batch.batchId,
    ...(batch.deviceId === undefined ? {} : { deviceId: batch.deviceId }),
    derivation: batch.derivation,
    receivedAt,
    events: batch.events,
    rejects: batch.rejects,
  };
  await enqueue(deps, message);
  obs.metrics.addMetric('acceptedEvents', MetricUnit.Count, batch.events.length);
  obs.logger.info('batch accepted', {
    batchId: batch.batchId,
    accepted: batch.events.length,
    rejected: batch.rejects.length,
  });
  return acceptedAnswer(batch);
}

/** One queue message, or a spool object plus a claim-check message when the body is too big. */
async function enqueue(deps: IngestDeps, message: BatchMessage): Promise<void> {
  const body = JSON.stringify(message);
  if (Buffer.byteLength(body, 'utf8') <= deps.config.maxQueueMessageBytes) {
    await deps.queue.send({ body, groupId: message.tenantId });
    return;
  }
  const key = spoolKey(message.tenantId, randomUUID());
  await deps.store.put(key, body, { contentType: 'application/json' });
  // A failed send is not a proof that SQS holds no pointer (a timeout after it stored the message):
  // the body stays for split either way (shared/ingest/spool.ts), and the spool/ lifecycle rule
  // removes an orphan. The batch is not accepted: the agent's retry spools it again.
  await deps.queue.send({
    body: JSON.stringify({ v: 1, tenantId: message.tenantId, claimCheck: key }),
    groupId: message.tenantId,
  });
  deps.obs.metrics.addMetric('claimChecks', MetricUnit.Count, 1);
}
