/**
 * Local mode's composition: the same ingest and split handlers as on AWS, over local adapters.
 *
 *   <dataDir>/keys.json           token keys (created on first use)
 *   <dataDir>/lake/               the bucket (FileObjectStore): raw/, rejects/, spool/, parquet/...
 *   <dataDir>/queue/batches/      the batch queue (DiskQueue, stands in for SQS)
 *   <dataDir>/stream/             Firehose buffers (LocalDeliveryStream)
 *   <dataDir>/idempotency/        ingest's idempotency records (stands in for DynamoDB)
 *
 * A split worker takes batches off the queue the way the SQS event source mapping would (SQS
 * event in, ReportBatchItemFailures out); a timer flushes stream buffers that reached their
 * size or age. `flush()` is "make every accepted event searchable now". A second timer runs the
 * dlq-sweeper (local-sweeper.ts) over the queue's dead letters and the Firehose error prefix.
 */
import { join } from 'node:path';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import {
  createIngestHandler,
  DEFAULT_INGEST_CONFIG,
  type IngestConfig,
} from '../../../functions/ingest/create-handler.js';
import { createSplitHandler } from '../../../functions/split/create-handler.js';
import { DiskQueue, type QueueDepth, type ReceivedMessage } from '../../adapters/local/disk-queue.js';
import { FileIdempotencyStore } from '../../adapters/local/file-idempotency-store.js';
import { FileObjectStore } from '../../adapters/local/file-object-store.js';
import { SerialQueue } from '../../adapters/local/fs-durable.js';
import { LocalDeliveryStream } from '../../adapters/local/local-delivery-stream.js';
import { FileKeySetSource } from '../../auth/file-key-set.js';
import type { SweepConfig } from '../../dlq/sweep.js';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig, RateLimiter } from '../../ingest/rate-limiter.js';
import {
  createObservability,
  type Observability,
  type ObservabilityOptions,
} from '../../observability/index.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type { DeliveryRecord, DeliveryStream } from '../../ports/delivery-stream.js';
import { LakeUsageMeter } from '../../usage/lake-usage-meter.js';
import { lockDataDir } from './data-dir-lock.js';
import { lambdaContext } from './lambda-context.js';
import { createLocalSweeper, type LocalSweeper } from './local-sweeper.js';
import { sqsRecord } from './sqs-record.js';

export interface LocalRuntimeOptions {
  dataDir: string;
  clock?: Clock;
  logLevel?: ObservabilityOptions['logLevel'];
  /** Start the split worker and the periodic stream flush (default true; false for one-shot CLI use). */
  background?: boolean;
  /** How often the stream's buffers are checked against their thresholds (default 5 s). */
  streamFlushIntervalMs?: number;
  /** Firehose buffering hints (default 5 MiB / 60 s). */
  streamBufferBytes?: number;
  streamBufferAgeMs?: number;
  /** Idle wait of the split worker between empty receives (default 200 ms). */
  splitPollIntervalMs?: number;
  /** Messages per split invocation (SQS batch size; default 10). */
  splitBatchSize?: number;
  /** Queue visibility timeout (default 5 min) and redrive count (default 5). */
  visibilityTimeoutMs?: number;
  maxReceiveCount?: number;
  rateLimits?: RateLimitConfig;
  ingestConfig?: Partial<IngestConfig>;
  /** How often the dlq-sweeper runs in the background (default 0: never; `make dev`: 15 min). */
  sweepIntervalMs?: number;
  sweepConfig?: SweepConfig;
}

export interface FlushSummary {
  /** Queue messages (batches) processed by split during this flush. */
  batches: number;
  /** Events written to the lake by this flush (the lines of `objects`). */
  events: number;
  /** Lake objects written by this flush. */
  objects: number;
  /** Events split handed to the delivery stream during this flush. */
  delivered: number;
  /** Batches that failed this time and are back on the queue (or in its DLQ). */
  failed: number;
  /** Messages in the dead-letter folder after the flush. */
  deadLetters: number;
}

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalRuntime {
  readonly dataDir: string;
  readonly store: FileObjectStore;
  readonly queue: DiskQueue;
  readonly stream: LocalDeliveryStream;
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
  readonly sweeper: LocalSweeper;
  depth(): Promise<QueueDepth>;
  /** Stops the worker and timer, waits for work in progress, flushes buffers. */
  close(): Promise<void>;
}

/** Counts the events split hands to the stream, for the flush summary. */
class CountingStream implements DeliveryStream {
  events = 0;
  constructor(private readonly inner: DeliveryStream) {}
  async putRecords(records: readonly DeliveryRecord[]): Promise<void> {
    await this.inner.putRecords(records);
    this.events += records.reduce((sum, r) => sum + r.events, 0);
  }
}

export async function createLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = options.dataDir;
  const clock = options.clock ?? systemClock;
  const obsOptions: ObservabilityOptions = { local: true, logLevel: options.logLevel ?? 'INFO' };
  const obs = createObservability('local', obsOptions);
  const store = new FileObjectStore(join(dataDir, 'lake'));
  const queue = new DiskQueue(join(dataDir, 'queue', 'batches'), {
    ...(options.visibilityTimeoutMs !== undefined
      ? { visibilityTimeoutMs: options.visibilityTimeoutMs }
      : {}),
    ...(options.maxReceiveCount !== undefined ? { maxReceiveCount: options.maxReceiveCount } : {}),
  });
  const stream = new LocalDeliveryStream({
    dir: join(dataDir, 'stream'),
    store,
    clock,
    ...(options.streamBufferBytes !== undefined ? { bufferBytes: options.streamBufferBytes } : {}),
    ...(options.streamBufferAgeMs !== undefined ? { bufferAgeMs: options.streamBufferAgeMs } : {}),
  });
  const keys = new FileKeySetSource(dataDir);
  const lock = await lockDataDir(dataDir);
  try {
    await keys.load();
    await queue.start();
    await stream.start(); // delivers buffers a previous run left behind
  } catch (error) {
    await lock.release();
    throw error;
  }

  const counting = new CountingStream(stream);
  const usage = new LakeUsageMeter(store, clock, `local-${process.pid}-${Date.now()}`);
  const ingest = createIngestHandler({
    keys,
    queue,
    store,
    idempotency: new FileIdempotencyStore(join(dataDir, 'idempotency')),
    limiter: new RateLimiter({ limits: options.rateLimits ?? DEFAULT_RATE_LIMITS }),
    clock,
    obs: createObservability('ingest', obsOptions),
    config: { ...DEFAULT_INGEST_CONFIG, ...options.ingestConfig },
    usage,
  });
  const split = createSplitHandler({
    stream: counting,
    store,
    usage,
    clock,
    obs: createObservability('split', obsOptions),
  });

  const batchSize = options.splitBatchSize ?? 10;
  // One lane for queue work and stream flushes, so a flush sees a consistent picture.
  const lane = new SerialQueue();

  async function runSplit(messages: ReceivedMessage[]): Promise<number> {
    const event: SQSEvent = { Records: messages.map(toSqsRecord) };
    let failedIds: Set<string>;
    try {
      const response = await split(event, lambdaContext('split', queue.visibilityTimeoutMs));
      failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      obs.logger.error('split invocation failed; every message of the batch goes back', { error });
      failedIds = new Set(messages.map((m) => m.messageId));
    }
    for (const message of messages) {
      if (failedIds.has(message.messageId)) {
        // Back off like a visibility timeout would: 1 s, 2 s, 4 s ... until the DLQ takes it.
        const retryAfterMs = Math.min(30_000, 1000 * 2 ** (message.receiveCount - 1));
        await queue.nack(message.receiptHandle, new Error('split reported a batch item failure'), {
          retryAfterMs,
        });
      } else {
        await queue.ack(message.receiptHandle);
      }
    }
    return failedIds.size;
  }

  async function splitPass(max: number): Promise<{ batches: number; failed: number }> {
    const messages = await queue.receive(max);
    if (messages.length === 0) return { batches: 0, failed: 0 };
    const failed = await runSplit(messages);
    return { batches: messages.length - failed, failed };
  }

  let closed = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const pollMs = options.splitPollIntervalMs ?? 200;
  const background = options.background ?? true;
  const worker = background
    ? (async () => {
        while (!closed) {
          let got = 0;
          try {
            got = (await lane.run(() => splitPass(batchSize))).batches;
          } catch (error) {
            obs.logger.error('split worker pass failed', { error });
          }
          if (got === 0 && !closed) await sleep(pollMs);
        }
      })()
    : Promise.resolve();

  const flushInterval = options.streamFlushIntervalMs ?? 5000;
  const timer =
    background && flushInterval > 0
      ? setInterval(() => {
          lane
            .run(() => stream.flush())
            .then((result) => {
              if (result.objects > 0)
                obs.logger.info('stream buffers delivered', {
                  objects: result.objects,
                  events: result.events,
                });
            })
            .catch((error: unknown) => obs.logger.error('periodic stream flush failed', { error }));
        }, flushInterval)
      : undefined;
  timer?.unref();

  const sweeper = createLocalSweeper({
    dataDir,
    store,
    queue,
    stream,
    clock,
    obs: createObservability('dlq-sweeper', obsOptions),
    ...(options.sweepConfig ? { config: options.sweepConfig } : {}),
  });
  const sweepInterval = options.sweepIntervalMs ?? 0;
  const sweepTimer =
    background && sweepInterval > 0
      ? setInterval(() => {
          sweeper.run().catch((error: unknown) => obs.logger.error('periodic sweep failed', { error }));
        }, sweepInterval)
      : undefined;
  sweepTimer?.unref();

  const runtime: LocalRuntime = {
    dataDir,
    store,
    queue,
    stream,
    keys,
    clock,
    usage,
    obs,
    ingest: (event, context) => ingest(event, context),
    splitOnce: (max = batchSize) => lane.run(() => splitPass(max)),
    flush: () =>
      lane.run(async () => {
        const eventsBefore = counting.events;
        let batches = 0;
        let failed = 0;
        for (;;) {
          const pass = await splitPass(batchSize);
          batches += pass.batches;
          failed += pass.failed;
          if (pass.batches + pass.failed === 0) break;
        }
        const flushed = await stream.flush({ force: true });
        await usage.flush();
        const depth = await queue.depth();
        const summary: FlushSummary = {
          batches,
          events: flushed.events,
          objects: flushed.objects,
          delivered: counting.events - eventsBefore,
          failed,
          deadLetters: depth.dlq,
        };
        obs.logger.info('flush done', { ...summary });
        return summary;
      }),
    depth: () => queue.depth(),
    sweeper,
    close: async () => {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      if (sweepTimer) clearInterval(sweepTimer);
      wake?.();
      await worker;
      await sweeper.idle();
      try {
        await lane.run(() => stream.flush({ force: true }));
        await usage.flush();
      } finally {
        await lock.release();
      }
    },
  };
  return runtime;
}

function toSqsRecord(message: ReceivedMessage): SQSRecord {
  return sqsRecord({
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    groupId: message.groupId,
    receiveCount: message.receiveCount,
    sentAt: Date.parse(message.sentAt),
    queueArn: 'arn:aws:sqs:local:000000000000:oplake-batches',
  });
}
