/**
 * A local pipeline for the dead-letter suites: the disk queue, the real split handler over the
 * local Firehose stand-in (behind a fault-injecting wrapper), the lake on disk and the sweeper
 * with a clock the test moves. Everything is a real engine; only the faults are injected.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SQSEvent } from 'aws-lambda';
import { createSplitHandler } from '../../functions/split/create-handler.js';
import { DiskDeadLetters } from '../../shared/adapters/local/disk-dead-letters.js';
import { DiskQueue } from '../../shared/adapters/local/disk-queue.js';
import { FileAlerter } from '../../shared/adapters/local/file-alerter.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { LocalDeliveryStream } from '../../shared/adapters/local/local-delivery-stream.js';
import type { Alert, DeadLetterSource, SweepMetrics } from '../../shared/dlq/ports.js';
import type { SweepSummary } from '../../shared/dlq/summary.js';
import { DEFAULT_SWEEP_CONFIG, type SweepConfig, sweep } from '../../shared/dlq/sweep.js';
import type { BatchMessage } from '../../shared/domain/batch-message.js';
import { PREFIX } from '../../shared/domain/layout.js';
import { lambdaContext } from '../../shared/local/runtime/lambda-context.js';
import { sqsRecord } from '../../shared/local/runtime/sqs-record.js';
import { createObservability } from '../../shared/observability/index.js';
import type { Clock } from '../../shared/ports/clock.js';
import {
  DeliveryError,
  type DeliveryRecord,
  type DeliveryStream,
} from '../../shared/ports/delivery-stream.js';
import type { ObjectStore } from '../../shared/ports/object-store.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

export class TestClock implements Clock {
  constructor(public ms = Date.parse('2026-11-24T01:00:00.000Z')) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export type StreamFault = 'none' | 'throttle' | 'partial' | 'total';

/** Firehose faults: throttling (retryable SDK error), partial (half delivered, then a DeliveryError), total (a 5xx). */
export class FaultyStream implements DeliveryStream {
  fault: StreamFault = 'none';
  calls = 0;
  constructor(private readonly inner: DeliveryStream) {}

  async putRecords(records: readonly DeliveryRecord[]): Promise<void> {
    this.calls++;
    if (this.fault === 'throttle') {
      const cause = Object.assign(new Error('Rate exceeded for stream oplake-0'), {
        name: 'ThrottlingException',
        $retryable: { throttling: true },
      });
      throw new DeliveryError('PutRecordBatch to oplake-0 failed', records.length, { cause });
    }
    if (this.fault === 'total') {
      const cause = Object.assign(new Error('We encountered an internal error'), {
        name: 'ServiceUnavailableException',
        $metadata: { httpStatusCode: 503 },
      });
      throw new DeliveryError('PutRecordBatch to oplake-0 failed', records.length, { cause });
    }
    if (this.fault === 'partial') {
      const half = Math.ceil(records.length / 2);
      await this.inner.putRecords(records.slice(0, half));
      if (records.length - half > 0 || records.length === 1)
        throw new DeliveryError(`${records.length - half || 1} records still failing after 6 attempts`, 1);
      return;
    }
    await this.inner.putRecords(records);
  }
}

/** An object store whose next `failures` calls of the named methods throw a 503-like error. */
export class FaultyStore implements ObjectStore {
  readonly failing = new Map<string, number>();
  constructor(private readonly inner: ObjectStore) {}
  private check(method: string): void {
    const left = this.failing.get(method) ?? 0;
    if (left <= 0) return;
    this.failing.set(method, left - 1);
    throw Object.assign(new Error(`injected S3 ${method} fault`), {
      name: 'InternalError',
      $metadata: { httpStatusCode: 500 },
    });
  }
  async put(...args: Parameters<ObjectStore['put']>) {
    this.check('put');
    return this.inner.put(...args);
  }
  async get(key: string) {
    this.check('get');
    return this.inner.get(key);
  }
  list(prefix: string) {
    this.check('list');
    return this.inner.list(prefix);
  }
  async listPrefixes(prefix: string) {
    return this.inner.listPrefixes(prefix);
  }
  async copy(from: string, to: string) {
    return this.inner.copy(from, to);
  }
  async delete(keys: readonly string[]) {
    this.check('delete');
    return this.inner.delete(keys);
  }
  async move(moves: Parameters<ObjectStore['move']>[0]) {
    this.check('move');
    return this.inner.move(moves);
  }
}

/** A dead-letter source whose next receives / removes / redrives fail (SQS errors). */
export class FaultySource implements DeadLetterSource {
  readonly failing = new Map<'pages' | 'remove' | 'redrive', number>();
  constructor(private readonly inner: DeadLetterSource) {}
  get name(): string {
    return this.inner.name;
  }
  private check(method: 'pages' | 'remove' | 'redrive'): void {
    const left = this.failing.get(method) ?? 0;
    if (left <= 0) return;
    this.failing.set(method, left - 1);
    throw Object.assign(new Error(`injected SQS ${method} fault`), { name: 'QueueUnavailable' });
  }
  async *pages(pageSize: number) {
    this.check('pages');
    yield* this.inner.pages(pageSize);
  }
  async redrive(letter: Parameters<DeadLetterSource['redrive']>[0]) {
    this.check('redrive');
    return this.inner.redrive(letter);
  }
  async remove(letter: Parameters<DeadLetterSource['remove']>[0]) {
    this.check('remove');
    return this.inner.remove(letter);
  }
}

export function batchBody(n: number, events = 2, tenantId = 'acme-corp'): string {
  const message: BatchMessage = {
    v: 1,
    tenantId,
    batchId: `b-${n}`,
    deviceId: 'pc-001',
    derivation: 'position',
    receivedAt: '2026-11-24T00:59:00.000Z',
    events: Array.from({ length: events }, (_, index) => ({
      index,
      deviceId: 'pc-001',
      event: { type: 'app' as const, ts: '2026-11-24T09:15:02.123+09:00', app: 'excel.exe' },
    })),
    rejects: [],
  };
  return JSON.stringify(message);
}

export interface Kit {
  dir: string;
  clock: TestClock;
  lake: FileObjectStore;
  store: FaultyStore;
  queue: DiskQueue;
  stream: LocalDeliveryStream;
  faulty: FaultyStream;
  source: FaultySource;
  alerter: FileAlerter;
  metrics: { name: string; dimensions: Record<string, string>; value: number }[];
  config: SweepConfig;
  send(bodies: readonly string[]): Promise<void>;
  /** Runs split over the queue until nothing is ready; failures go back, then to the DLQ. */
  drain(): Promise<{ ok: number; failed: number }>;
  sweep(options?: { dryRun?: boolean }): Promise<SweepSummary>;
  alerts(): Promise<(Alert & { at: string })[]>;
  /** Every (device_id, event_id) in raw/ after a forced stream flush, with repeats. */
  lakeEvents(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * `inMemoryFs`: the data directory on /dev/shm when the machine has it (fsync is free there). The
 * storm measures the sweeper's logic over 1,000 letters, not the disk's fsync latency.
 */
export async function createKit(
  options: { maxReceiveCount?: number; config?: Partial<SweepConfig>; inMemoryFs?: boolean } = {},
): Promise<Kit> {
  const root = options.inMemoryFs && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = await mkdtemp(join(root, 'oplake-dlq-'));
  const clock = new TestClock();
  // Objects carry the test clock's time, as S3 stamps LastModified (lifecycle.ts ages them by it).
  const lake = new FileObjectStore(join(dir, 'lake'), { clock });
  const store = new FaultyStore(lake);
  const queue = new DiskQueue(join(dir, 'queue'), {
    maxReceiveCount: options.maxReceiveCount ?? 2,
    now: () => clock.ms,
  });
  const stream = new LocalDeliveryStream({ dir: join(dir, 'stream'), store: lake, clock });
  const faulty = new FaultyStream(stream);
  const obs = createObservability('split', { local: true, logLevel: 'SILENT' });
  const split = createSplitHandler({ stream: faulty, store, clock, obs });
  const source = new FaultySource(new DiskDeadLetters('batches', queue));
  const alerter = new FileAlerter(join(dir, 'alerts'), clock, { warn: () => undefined });
  const metrics: Kit['metrics'] = [];
  const sink: SweepMetrics = {
    count: (name, dimensions, value) => metrics.push({ name, dimensions, value }),
  };
  const config: SweepConfig = { ...DEFAULT_SWEEP_CONFIG, backoffBaseMs: 60_000, ...options.config };
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

  return {
    dir,
    clock,
    lake,
    store,
    queue,
    stream,
    faulty,
    source,
    alerter,
    metrics,
    config,
    async send(bodies) {
      for (const body of bodies) await queue.send({ body, groupId: 'acme-corp' });
    },
    async drain() {
      let ok = 0;
      let failed = 0;
      for (;;) {
        const messages = await queue.receive(10);
        if (messages.length === 0) return { ok, failed };
        const event: SQSEvent = {
          Records: messages.map((m) =>
            sqsRecord({
              messageId: m.messageId,
              receiptHandle: m.receiptHandle,
              body: m.body,
              receiveCount: m.receiveCount,
            }),
          ),
        };
        const response = await split(event, lambdaContext('split'));
        const failedIds = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        for (const m of messages) {
          if (failedIds.has(m.messageId)) {
            failed++;
            await queue.nack(m.receiptHandle, new Error('split reported a batch item failure'));
          } else {
            ok++;
            await queue.ack(m.receiptHandle);
          }
        }
      }
    },
    sweep: (sweepOptions = {}) =>
      sweep(
        {
          sources: [source],
          store,
          stream: faulty,
          alerter,
          metrics: sink,
          clock,
          log: silent,
          retry: { attempts: 3, baseMs: 0 },
        },
        config,
        sweepOptions,
      ),
    async alerts() {
      try {
        const text = await readFile(alerter.path, 'utf8');
        return text
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Alert & { at: string });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
    async lakeEvents() {
      await stream.flush({ force: true });
      const ids: string[] = [];
      for await (const info of lake.list(PREFIX.raw)) {
        const data = await lake.get(info.key);
        if (data === null) continue;
        for (const line of gunzipSync(data).toString('utf8').split('\n')) {
          if (line === '') continue;
          const event = JSON.parse(line) as { device_id: string; event_id: string };
          ids.push(`${event.device_id}/${event.event_id}`);
        }
      }
      return ids.sort();
    },
    async close() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
