/**
 * The ctas-runner Lambda handler for any set of adapters: an SQS consumer of the fan-out queue
 * (Middy contract: `Promise.allSettled(records.map(...))`, @middy/sqs-partial-batch-failure
 * builds `batchItemFailures`). Each record is one tenant: convert its dates, settle its token.
 */
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { CompactionEngine } from '../../shared/compaction/engine.js';
import type { CompactionPolicy } from '../../shared/compaction/plan.js';
import { compactTenant } from '../../shared/compaction/run.js';
import { convertDay, type DayLeases, DEFAULT_LEASE_WAIT_MS } from '../../shared/conversion/day-lease.js';
import type { ConversionEngine } from '../../shared/conversion/engine.js';
import type { TaskCallbacks } from '../../shared/conversion/task-callbacks.js';
import { recordFailureQuietly } from '../../shared/dlq/failure-record.js';
import { type Observability, observe } from '../../shared/observability/index.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { ObjectStore } from '../../shared/ports/object-store.js';
import type { UsageMeter } from '../../shared/usage/meter.js';
import { DEFAULT_RESERVE_MS, processRecordBody } from './core.js';

export interface CtasRunnerDeps {
  store: ObjectStore;
  engine: ConversionEngine;
  /** One conversion of a tenant-day at a time (absent: convert.ts's overlap handling alone). */
  leases?: DayLeases;
  /**
   * How long a conversion waits for another conversion of its day (default DEFAULT_LEASE_WAIT_MS),
   * and never into the time the conversion itself needs before the Lambda times out.
   */
  leaseWaitMs?: number;
  callbacks: TaskCallbacks;
  clock: Clock;
  obs: Observability;
  heartbeatMs?: number;
  usage?: UsageMeter;
  /** After each tenant's dates, compact its closed small months (absent: no compaction). */
  compaction?: { engine: CompactionEngine; policy: CompactionPolicy };
}

export function createCtasRunnerHandler(
  deps: CtasRunnerDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { logger } = deps.obs;
  const log = {
    info: (message: string, extra: Record<string, unknown> = {}) => logger.info(message, extra),
    warn: (message: string, extra: Record<string, unknown> = {}) => logger.warn(message, extra),
    error: (message: string, extra: Record<string, unknown> = {}) => logger.error(message, extra),
  };
  const compaction = deps.compaction;
  const processRecord = async (record: SQSRecord, context: Context | undefined) => {
    try {
      const outcome = await processRecordBody(record.body, {
        callbacks: deps.callbacks,
        convert: (tenantId, dt) =>
          convertDay(
            {
              store: deps.store,
              engine: deps.engine,
              clock: deps.clock,
              ...(deps.leases ? { leases: deps.leases } : {}),
              leaseWaitMs: Math.min(
                deps.leaseWaitMs ?? DEFAULT_LEASE_WAIT_MS,
                context?.getRemainingTimeInMillis
                  ? Math.max(0, context.getRemainingTimeInMillis() - DEFAULT_RESERVE_MS)
                  : Number.POSITIVE_INFINITY,
              ),
            },
            { tenantId, dt },
          ),
        ...(compaction
          ? {
              compact: (tenantId: string) =>
                compactTenant({ store: deps.store, clock: deps.clock, ...compaction }, tenantId),
            }
          : {}),
        log,
        ...(context?.getRemainingTimeInMillis
          ? { remainingMs: () => context.getRemainingTimeInMillis() }
          : {}),
        ...(deps.heartbeatMs ? { heartbeatMs: deps.heartbeatMs } : {}),
        ...(deps.usage ? { usage: deps.usage } : {}),
      });
      deps.obs.metrics.addMetric(outcome.ok ? 'TenantConversions' : 'TenantConversionFailures', 'Count', 1);
      return outcome;
    } catch (error) {
      logger.error('fan-out message not processed', { messageId: record.messageId, error: String(error) });
      // What the dlq-sweeper classifies the message by, should it reach the fan-out DLQ.
      const receiveCount = Number(record.attributes?.ApproximateReceiveCount);
      await recordFailureQuietly(
        deps.store,
        {
          body: record.body,
          error,
          recordedBy: 'ctas-runner',
          now: deps.clock.now(),
          ...(Number.isInteger(receiveCount) && receiveCount > 0 ? { receiveCount } : {}),
        },
        (message, extra) => logger.warn(message, extra),
      );
      throw error;
    }
  };
  const handler = middy<SQSEvent, PromiseSettledResult<unknown>[], Error, Context>()
    .use(sqsPartialBatchFailure({ logger: () => undefined }))
    .handler(async (event, context) =>
      Promise.allSettled(event.Records.map((r) => processRecord(r, context))),
    );
  return observe(handler, deps.obs) as unknown as (
    event: SQSEvent,
    context: Context,
  ) => Promise<SQSBatchResponse>;
}
