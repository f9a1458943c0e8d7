/**
 * Local mode's background work: the split worker (batches off the disk queue through the split
 * handler, the way the SQS event source mapping feeds it), the timer that delivers stream buffers
 * which reached their size or age, the dlq-sweeper, and `flush` ("make every accepted event
 * searchable now"). None of it is needed to answer ingest's 202: the disk queue is the hand-off.
 *
 * It runs either on the caller's event loop (`startBackground`, used by tests and one-shot CLI
 * commands) or in a worker thread of its own (background-thread.ts, used by the server), so a
 * split pass never delays an ingest request.
 */
import { join } from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { createSplitHandler } from '../../../functions/split/create-handler.js';
import { DiskQueue, type ReceivedMessage } from '../../adapters/local/disk-queue.js';
import { FileObjectStore } from '../../adapters/local/file-object-store.js';
import { SerialQueue } from '../../adapters/local/fs-durable.js';
import { LocalDeliveryStream } from '../../adapters/local/local-delivery-stream.js';
import type { NightlySummary } from '../../conversion/summary.js';
import type { SweepSummary } from '../../dlq/summary.js';
import type { SweepConfig } from '../../dlq/sweep.js';
import { createObservability, type ObservabilityOptions } from '../../observability/index.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type { DeliveryRecord, DeliveryStream } from '../../ports/delivery-stream.js';
import { LakeUsageMeter } from '../../usage/lake-usage-meter.js';
import { lambdaContext } from './lambda-context.js';
import { createLocalSweeper } from './local-sweeper.js';
import { sqsRecord } from './sqs-record.js';

/** The runtime's options the background work takes as they are (runtime.ts `LocalRuntimeOptions`). */
export interface BackgroundTuning {
  /** How often the stream's buffers are checked against their thresholds (default 5 s; 0: never). */
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
  /** How often the dlq-sweeper runs (default 0: never; `make dev`: 15 min). */
  sweepIntervalMs?: number;
  sweepConfig?: SweepConfig;
}

/** Everything that shapes the background work; plain data, so it can be handed to a worker thread. */
export interface BackgroundSettings extends BackgroundTuning {
  dataDir: string;
  logLevel: ObservabilityOptions['logLevel'];
  /** Run the split worker loop and the timers (false: only on request, for one-shot CLI use). */
  loop: boolean;
  /** Remove the queue's half-written files at start (false when another thread may be sending). */
  sweepQueueTmp?: boolean;
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

export interface SplitPass {
  batches: number;
  failed: number;
}

/** What the runtime asks of its background, wherever it runs. */
export interface Background {
  /** One split pass: up to `max` queued batches through the split handler. */
  splitOnce(max?: number): Promise<SplitPass>;
  /** Drains the queue through split, then force-flushes every stream buffer into the lake. */
  flush(): Promise<FlushSummary>;
  sweep(options?: { dryRun?: boolean }): Promise<SweepSummary>;
  /** The nightly rule of the sweeper's alerts (one alert when a tenant failed after its retries). */
  alertNightly(summary: NightlySummary): Promise<void>;
  /** Stops the loop and timers, waits for work in progress, writes stream buffers and usage. */
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

/** The consumer side of the queue: its own DiskQueue, stream, usage meter and split handler. */
export async function startBackground(
  settings: BackgroundSettings,
  clock: Clock = systemClock,
): Promise<Background> {
  const obsOptions: ObservabilityOptions = { local: true, logLevel: settings.logLevel };
  const obs = createObservability('local', obsOptions);
  const store = new FileObjectStore(join(settings.dataDir, 'lake'));
  const queue = new DiskQueue(join(settings.dataDir, 'queue', 'batches'), {
    ...(settings.visibilityTimeoutMs !== undefined
      ? { visibilityTimeoutMs: settings.visibilityTimeoutMs }
      : {}),
    ...(settings.maxReceiveCount !== undefined ? { maxReceiveCount: settings.maxReceiveCount } : {}),
    ...(settings.sweepQueueTmp === false ? { sweepTmpOnStart: false } : {}),
  });
  const stream = new LocalDeliveryStream({
    dir: join(settings.dataDir, 'stream'),
    store,
    clock,
    ...(settings.streamBufferBytes !== undefined ? { bufferBytes: settings.streamBufferBytes } : {}),
    ...(settings.streamBufferAgeMs !== undefined ? { bufferAgeMs: settings.streamBufferAgeMs } : {}),
  });
  await queue.start();
  await stream.start(); // delivers buffers a previous run left behind
  const counting = new CountingStream(stream);
  const usage = new LakeUsageMeter(store, clock, `split-${process.pid}-${Date.now()}`);
  const split = createSplitHandler({
    stream: counting,
    store,
    usage,
    clock,
    obs: createObservability('split', obsOptions),
  });
  const sweeper = createLocalSweeper({
    dataDir: settings.dataDir,
    store,
    queue,
    stream,
    clock,
    obs: createObservability('dlq-sweeper', obsOptions),
    ...(settings.sweepConfig ? { config: settings.sweepConfig } : {}),
  });

  const batchSize = settings.splitBatchSize ?? 10;
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

  async function splitPass(max: number): Promise<SplitPass> {
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

  const pollMs = settings.splitPollIntervalMs ?? 200;
  const worker = settings.loop
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

  const flushInterval = settings.streamFlushIntervalMs ?? 5000;
  const timer =
    settings.loop && flushInterval > 0
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

  const sweepInterval = settings.sweepIntervalMs ?? 0;
  const sweepTimer =
    settings.loop && sweepInterval > 0
      ? setInterval(() => {
          sweeper.run().catch((error: unknown) => obs.logger.error('periodic sweep failed', { error }));
        }, sweepInterval)
      : undefined;
  sweepTimer?.unref();

  return {
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
    sweep: (options = {}) => sweeper.run(options),
    alertNightly: (summary) => sweeper.alertNightly(summary),
    close: async () => {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      if (sweepTimer) clearInterval(sweepTimer);
      wake?.();
      await worker;
      await sweeper.idle();
      await lane.run(() => stream.flush({ force: true }));
      await usage.flush();
    },
  };
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
