/**
 * Local mode's composition: the same ingest and split handlers as on AWS, over local adapters.
 *
 *   <dataDir>/keys.json           token keys (created on first use)
 *   <dataDir>/lake/               the bucket (FileObjectStore): raw/, rejects/, spool/, parquet-v2/...
 *   <dataDir>/queue/batches/      the batch queue (DiskQueue, stands in for SQS)
 *   <dataDir>/stream/             Firehose buffers (LocalDeliveryStream)
 *   <dataDir>/idempotency/        ingest's idempotency records (stands in for DynamoDB)
 *
 * Ingest answers on the caller's event loop; everything after the disk queue (the split worker,
 * the stream's flushes, the dlq-sweeper, `flush()` "make every accepted event searchable now")
 * is the background (background.ts): on the same loop by default, or in a worker thread of its
 * own with `backgroundThread` (the server's choice, so a split pass never delays a request).
 */
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  createIngestHandler,
  DEFAULT_INGEST_CONFIG,
  type IngestConfig,
} from '../../../functions/ingest/create-handler.js';
import { settleInterruptedBatches } from '../../../functions/ingest/settle.js';
import { DiskQueue, type QueueDepth } from '../../adapters/local/disk-queue.js';
import { FileIdempotencyStore } from '../../adapters/local/file-idempotency-store.js';
import { FileObjectStore } from '../../adapters/local/file-object-store.js';
import { FileKeySetSource } from '../../auth/file-key-set.js';
import type { NightlySummary } from '../../conversion/summary.js';
import type { SweepSummary } from '../../dlq/summary.js';
import {
  type BatchMessage,
  BatchMessageError,
  isClaimCheck,
  parseQueueMessage,
} from '../../domain/batch-message.js';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig, RateLimiter } from '../../ingest/rate-limiter.js';
import { readSpool, SpoolObjectMissingError } from '../../ingest/spool.js';
import {
  createObservability,
  type Observability,
  type ObservabilityOptions,
} from '../../observability/index.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import { LakeUsageMeter } from '../../usage/lake-usage-meter.js';
import {
  type Background,
  type BackgroundSettings,
  type BackgroundTuning,
  type FlushSummary,
  startBackground,
} from './background.js';
import { startBackgroundThread } from './background-client.js';
import { lockDataDir } from './data-dir-lock.js';

export type { FlushSummary };

export interface LocalRuntimeOptions extends BackgroundTuning {
  dataDir: string;
  clock?: Clock;
  logLevel?: ObservabilityOptions['logLevel'];
  /** Start the split worker and the periodic stream flush (default true; false for one-shot CLI use). */
  background?: boolean;
  rateLimits?: RateLimitConfig;
  ingestConfig?: Partial<IngestConfig>;
  /**
   * Run the background (split worker, stream flushes, sweeps) in a worker thread of its own
   * (background-client.ts) instead of on the caller's event loop. Default false; the server: true.
   */
  backgroundThread?: boolean;
}

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalRuntime {
  readonly dataDir: string;
  readonly store: FileObjectStore;
  /** The queue as ingest sends to it (the background receives with its own instance). */
  readonly queue: DiskQueue;
  readonly keys: FileKeySetSource;
  readonly clock: Clock;
  /** Usage per tenant and day, kept in the lake under usage/ (shared/usage). */
  readonly usage: LakeUsageMeter;
  /** Observability of the local server itself (handlers have their own, per function). */
  readonly obs: Observability;
  /** The ingest function's handler (POST /v1/events). */
  readonly ingest: HttpHandler;
  /** Runs one split pass: up to `max` queued batches through the split handler. */
  splitOnce(max?: number): Promise<{ batches: number; failed: number }>;
  /** Drains the queue through split, then force-flushes every stream buffer into the lake. */
  flush(): Promise<FlushSummary>;
  /** The dlq-sweeper over local mode's dead letters (`oplake sweep`, POST /v1/admin/sweep). */
  readonly sweeper: {
    run(options?: { dryRun?: boolean }): Promise<SweepSummary>;
    /** One alert when a tenant's nightly conversion failed after its retries (deduplicated per run date). */
    alertNightly(summary: NightlySummary): Promise<void>;
  };
  depth(): Promise<QueueDepth>;
  /** Stops the background (work in progress finishes, buffers are written), then frees the data directory. */
  close(): Promise<void>;
}

export async function createLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = options.dataDir;
  const clock = options.clock ?? systemClock;
  if (options.backgroundThread && options.clock !== undefined)
    throw new RangeError(
      'the background thread runs on the system clock: no clock option with backgroundThread',
    );
  const obsOptions: ObservabilityOptions = { local: true, logLevel: options.logLevel ?? 'INFO' };
  const obs = createObservability('local', obsOptions);
  const store = new FileObjectStore(join(dataDir, 'lake'));
  // The sending side of the queue (ingest), the queue depth and the tests' direct sends.
  const queue = new DiskQueue(join(dataDir, 'queue', 'batches'), {
    ...(options.visibilityTimeoutMs !== undefined
      ? { visibilityTimeoutMs: options.visibilityTimeoutMs }
      : {}),
    ...(options.maxReceiveCount !== undefined ? { maxReceiveCount: options.maxReceiveCount } : {}),
  });
  const keys = new FileKeySetSource(dataDir);
  const idempotency = new FileIdempotencyStore(join(dataDir, 'idempotency'));
  const ingestConfig: IngestConfig = { ...DEFAULT_INGEST_CONFIG, ...options.ingestConfig };
  const settings: BackgroundSettings = {
    dataDir,
    logLevel: obsOptions.logLevel,
    loop: options.background ?? true,
    ...definedOnly({
      streamFlushIntervalMs: options.streamFlushIntervalMs,
      streamBufferBytes: options.streamBufferBytes,
      streamBufferAgeMs: options.streamBufferAgeMs,
      splitPollIntervalMs: options.splitPollIntervalMs,
      splitBatchSize: options.splitBatchSize,
      visibilityTimeoutMs: options.visibilityTimeoutMs,
      maxReceiveCount: options.maxReceiveCount,
      sweepIntervalMs: options.sweepIntervalMs,
    }),
    ...(options.sweepConfig ? { sweepConfig: options.sweepConfig } : {}),
  };
  const lock = await lockDataDir(dataDir);
  let background: Background;
  try {
    await keys.load();
    await queue.start();
    // Batches a crash interrupted: their retries are answered at once (functions/ingest/settle.ts).
    const settled = await settleInterruptedBatches({
      idempotency,
      queuedBatches: () => queuedBatches(queue, store),
      config: ingestConfig,
      clock,
    });
    if (settled.replayed + settled.released > 0)
      obs.logger.info('settled batches a previous run left in progress', { ...settled });
    background = options.backgroundThread
      ? await startBackgroundThread(settings, obs.logger)
      : await startBackground(settings, clock);
  } catch (error) {
    await lock.release();
    throw error;
  }

  const usage = new LakeUsageMeter(store, clock, `local-${process.pid}-${Date.now()}`);
  const ingest = createIngestHandler({
    keys,
    queue,
    store,
    idempotency,
    limiter: new RateLimiter({ limits: options.rateLimits ?? DEFAULT_RATE_LIMITS }),
    clock,
    obs: createObservability('ingest', obsOptions),
    config: ingestConfig,
    usage,
  });

  let closed = false;
  const runtime: LocalRuntime = {
    dataDir,
    store,
    queue,
    keys,
    clock,
    usage,
    obs,
    ingest: (event, context) => ingest(event, context),
    splitOnce: (max) => background.splitOnce(max),
    flush: async () => {
      const summary = await background.flush();
      await usage.flush();
      return summary;
    },
    depth: () => queue.depth(),
    sweeper: {
      run: (sweepOptions) => background.sweep(sweepOptions),
      alertNightly: (summary) => background.alertNightly(summary),
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await background.close();
        await usage.flush();
      } finally {
        await lock.release();
      }
    },
  };
  return runtime;
}

/** The entries of `values` that are not undefined (exactOptionalPropertyTypes). */
function definedOnly<T extends Record<string, number | undefined>>(values: T): { [K in keyof T]?: number } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: number;
  };
}

/**
 * Every batch the queue holds, claim checks resolved from the spool (shared/ingest/spool.ts): a
 * delivered one (its receipt) and a lost one (SpoolObjectMissingError, which split dead-letters)
 * are skipped.
 */
async function queuedBatches(queue: DiskQueue, store: FileObjectStore): Promise<BatchMessage[]> {
  const batches: BatchMessage[] = [];
  for (const body of await queue.bodies()) {
    try {
      const message = parseQueueMessage(body);
      if (!isClaimCheck(message)) {
        batches.push(message);
        continue;
      }
      const spooled = await readSpool(store, message.claimCheck, message.tenantId);
      if (spooled.kind === 'batch') batches.push(spooled.batch);
    } catch (error) {
      // A message split cannot read either: it dead-letters it; it answers no interrupted batch.
      if (!(error instanceof BatchMessageError || error instanceof SpoolObjectMissingError)) throw error;
    }
  }
  return batches;
}
