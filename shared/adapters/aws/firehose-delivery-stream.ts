/**
 * DeliveryStream over N Firehose streams. A tenant's records go to `streams[shardOf(tenant, N)]`
 * (tenants are sharded so each stream stays under its active-partition quota, FACTS.md).
 *
 * PutRecordBatch takes at most 500 records and 4 MiB a call, and answers 200 with
 * FailedPutCount > 0 on partial failure. So: chunk within those limits, then resend ONLY the
 * entries whose RequestResponses carry an ErrorCode, with exponential backoff and full jitter
 * (sleep = random(0, min(cap, base * 2^attempt))); throttling and 5xx exceptions of the whole
 * call are retried the same way. After `maxAttempts` the call rejects with DeliveryError (the
 * SQS message is then retried by the queue, and dead-lettered after maxReceiveCount).
 */
import { type _Record, type FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { shardOf } from '../../domain/layout.js';
import {
  DeliveryError,
  type DeliveryRecord,
  type DeliveryStream,
  FIREHOSE_LIMITS,
} from '../../ports/delivery-stream.js';

export interface FirehoseDeliveryStreamOptions {
  client: FirehoseClient;
  /** Stream names; a tenant maps to streams[shardOf(tenant, streams.length)]. */
  streams: readonly string[];
  /** Calls per chunk, first included. Default 6. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const RETRYABLE_EXCEPTIONS = new Set([
  'ServiceUnavailableException',
  'ThrottlingException',
  'LimitExceededException',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'TimeoutError',
]);

export class FirehoseDeliveryStream implements DeliveryStream {
  private readonly client: FirehoseClient;
  private readonly streams: readonly string[];
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: FirehoseDeliveryStreamOptions) {
    if (options.streams.length === 0) throw new RangeError('at least one Firehose stream is needed');
    this.client = options.client;
    this.streams = [...options.streams];
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  streamOf(tenantId: string): string {
    const stream = this.streams[shardOf(tenantId, this.streams.length)];
    if (stream === undefined) throw new RangeError(`no stream for tenant ${tenantId}`);
    return stream;
  }

  async putRecords(records: readonly DeliveryRecord[]): Promise<void> {
    const byStream = new Map<string, DeliveryRecord[]>();
    for (const record of records) {
      if (record.data.length > FIREHOSE_LIMITS.maxRecordBytes) {
        throw new DeliveryError(
          `a record of ${record.data.length} bytes is over Firehose's ${FIREHOSE_LIMITS.maxRecordBytes}`,
          1,
        );
      }
      const stream = this.streamOf(record.tenantId);
      const list = byStream.get(stream) ?? [];
      list.push(record);
      byStream.set(stream, list);
    }
    for (const [stream, list] of byStream) {
      for (const chunk of chunks(list)) await this.putChunk(stream, chunk);
    }
  }

  /** One PutRecordBatch chunk, resending only the failed entries until none is left. */
  private async putChunk(stream: string, chunk: readonly DeliveryRecord[]): Promise<void> {
    let pending: _Record[] = chunk.map((record) => ({ Data: record.data }));
    let lastError: unknown;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      if (attempt > 0) await this.sleep(this.backoff(attempt));
      try {
        const answer = await this.client.send(
          new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: pending }),
        );
        if (!answer.FailedPutCount) return;
        const responses = answer.RequestResponses ?? [];
        const failed = pending.filter((_, i) => {
          const response = responses[i];
          return (
            response === undefined || response.ErrorCode !== undefined || response.RecordId === undefined
          );
        });
        const firstError = responses.find((r) => r.ErrorCode !== undefined);
        lastError = new Error(
          `${firstError?.ErrorCode ?? 'unknown error'}: ${firstError?.ErrorMessage ?? ''}`,
        );
        pending = failed;
        if (pending.length === 0) return;
      } catch (error) {
        if (!isRetryable(error)) {
          throw new DeliveryError(`PutRecordBatch to ${stream} failed`, pending.length, { cause: error });
        }
        lastError = error;
      }
    }
    throw new DeliveryError(
      `${pending.length} records to ${stream} still failing after ${this.maxAttempts} attempts`,
      pending.length,
      { cause: lastError },
    );
  }

  /** Full jitter: uniform in [0, min(max, base * 2^attempt)). */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    return Math.floor(this.random() * ceiling);
  }
}

/** Splits records into PutRecordBatch calls of at most 500 records and 4 MiB. */
export function chunks(records: readonly DeliveryRecord[]): DeliveryRecord[][] {
  const out: DeliveryRecord[][] = [];
  let current: DeliveryRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    if (
      current.length >= FIREHOSE_LIMITS.maxRecordsPerCall ||
      bytes + record.data.length > FIREHOSE_LIMITS.maxBytesPerCall
    ) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += record.data.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown }).$metadata;
  return (
    RETRYABLE_EXCEPTIONS.has(error.name) ||
    (error as { $retryable?: unknown }).$retryable !== undefined ||
    (meta?.httpStatusCode !== undefined && meta.httpStatusCode >= 500)
  );
}
