/**
 * ctas-runner's core: one fan-out message = one tenant's pending dates and a task token. Converts
 * each date (each conversion is idempotent), heartbeats while it works, then settles the token:
 * SendTaskSuccess with the tenant's outcome, or SendTaskFailure (Retry/Catch in the ASL). Stops
 * early when the Lambda is about to time out (`ConversionIncomplete`, retried by the workflow;
 * dates already converted are then no-ops), and at the first CTAS Athena throttled through all of
 * the runner's retries (`AthenaThrottled`: the DML quota is full; the workflow retries it longer).
 */
import type { CompactionResult } from '../../shared/compaction/compact.js';
import type { ConversionResult } from '../../shared/conversion/convert.js';
import type { TenantOutcome } from '../../shared/conversion/summary.js';
import { type TaskCallbacks, TaskTokenGoneError } from '../../shared/conversion/task-callbacks.js';
import { assertDate, assertTenant } from '../../shared/domain/layout.js';
import { conversionUsage } from '../../shared/usage/entries.js';
import type { UsageMeter } from '../../shared/usage/meter.js';

export interface FanOutMessage {
  taskToken: string;
  tenantId: string;
  dates: string[];
  runId: string;
  /** The workflow's run mode; `intraday` converts only (no compaction). Absent: `nightly`. */
  mode?: 'nightly' | 'intraday';
}

/** Error names the workflow sees (ASL Retry matches States.TaskFailed, which covers them). */
export const TASK_ERRORS = Object.freeze({
  conversionFailed: 'Oplake.ConversionFailed',
  incomplete: 'Oplake.ConversionIncomplete',
  badMessage: 'Oplake.BadMessage',
  /** Athena's DML quota stayed full through the runner's own retries: the ASL retries it longer. */
  throttled: 'Oplake.AthenaThrottled',
  /** The dates converted, a month's compaction failed (the lake is as before it; retried next night). */
  compactionFailed: 'Oplake.CompactionFailed',
});

/** True when the error or one of its causes is AthenaThrottledError (TooManyRequestsException). */
export function isThrottled(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.name === 'AthenaThrottledError') return true;
  }
  return false;
}

export class BadFanOutMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadFanOutMessageError';
  }
}

export function parseFanOutMessage(body: string): FanOutMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new BadFanOutMessageError(`fan-out message is not JSON: ${(error as Error).message}`);
  }
  const v = value as Partial<Record<keyof FanOutMessage, unknown>>;
  if (typeof v !== 'object' || v === null)
    throw new BadFanOutMessageError('fan-out message is not an object');
  if (typeof v.taskToken !== 'string' || v.taskToken.length === 0)
    throw new BadFanOutMessageError('taskToken missing');
  if (typeof v.tenantId !== 'string') throw new BadFanOutMessageError('tenantId missing');
  if (typeof v.runId !== 'string') throw new BadFanOutMessageError('runId missing');
  if (!Array.isArray(v.dates) || !v.dates.every((d): d is string => typeof d === 'string')) {
    throw new BadFanOutMessageError('dates must be an array of YYYY-MM-DD');
  }
  if (v.mode !== undefined && v.mode !== 'nightly' && v.mode !== 'intraday') {
    throw new BadFanOutMessageError('mode must be nightly or intraday');
  }
  try {
    assertTenant(v.tenantId);
    for (const d of v.dates) assertDate(d);
  } catch (error) {
    throw new BadFanOutMessageError((error as Error).message);
  }
  return {
    taskToken: v.taskToken,
    tenantId: v.tenantId,
    dates: v.dates,
    runId: v.runId,
    ...(v.mode === undefined ? {} : { mode: v.mode }),
  };
}

/** The time a date's conversion is given: none starts with less left before the Lambda times out. */
export const DEFAULT_RESERVE_MS = 120_000;

export interface RunnerLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface RunnerDeps {
  convert(tenantId: string, dt: string): Promise<ConversionResult>;
  /** After the dates: compact the tenant's closed small months (bounded per night); absent = off. */
  compact?: (tenantId: string) => Promise<CompactionResult[]>;
  callbacks: TaskCallbacks;
  log?: RunnerLog;
  /** Milliseconds left before the invocation times out (Lambda context); unlimited when absent. */
  remainingMs?: () => number;
  /** Do not start another date with less than this left (default DEFAULT_RESERVE_MS). */
  reserveMs?: number;
  /** Heartbeat period while converting (default 60 s; the ASL's HeartbeatSeconds is 900). */
  heartbeatMs?: number;
  /** Usage per tenant and day (nightly conversions); flushed before the token is settled. */
  usage?: UsageMeter;
}

const silent: RunnerLog = { info: () => {}, warn: () => {}, error: () => {} };

/** Settles one message's token; resolves once the answer is delivered (or the token is gone). */
export async function runTenant(message: FanOutMessage, deps: RunnerDeps): Promise<TenantOutcome> {
  const log = deps.log ?? silent;
  const { taskToken, tenantId, dates } = message;
  const beat = setInterval(() => {
    deps.callbacks.heartbeat(taskToken).catch((error: unknown) => {
      log.warn('heartbeat failed', { tenantId, error: String(error) });
    });
  }, deps.heartbeatMs ?? 60_000);
  beat.unref?.();

  const compact = message.mode === 'intraday' ? undefined : deps.compact;
  const failures: string[] = [];
  let converted = 0;
  let rows = 0;
  let incomplete = false;
  let throttled = false;
  let compactedMonths = 0;
  let compactionFailure: string | null = null;
  try {
    for (const dt of dates) {
      if (deps.remainingMs && deps.remainingMs() < (deps.reserveMs ?? DEFAULT_RESERVE_MS)) {
        incomplete = true;
        break;
      }
      try {
        const result = await deps.convert(tenantId, dt);
        if (result.status === 'converted') converted++;
        if (result.status === 'converted') deps.usage?.record(conversionUsage(result));
        rows += result.rows;
        log.info('converted', { ...result });
      } catch (error) {
        failures.push(`${dt}: ${(error as Error).name}: ${(error as Error).message}`);
        log.error('conversion failed', { tenantId, dt, error: String(error) });
        // The quota is full: more dates now would only be throttled too (they stay pending).
        if (isThrottled(error)) {
          throttled = true;
          break;
        }
      }
    }
    // Compaction once every date converted (a month with a pending day waits for it anyway);
    // short of time it waits for the next night (nothing is pending on it). Intraday runs
    // never compact: the hot days are not in a closed month, the night does the rest.
    const timeLeft = !deps.remainingMs || deps.remainingMs() >= (deps.reserveMs ?? DEFAULT_RESERVE_MS);
    if (compact && failures.length === 0 && !incomplete && timeLeft) {
      try {
        const months = await compact(tenantId);
        compactedMonths = months.filter((m) => m.status === 'compacted').length;
        for (const month of months) log.info('compacted', { ...month });
      } catch (error) {
        compactionFailure = `compaction: ${(error as Error).name}: ${(error as Error).message}`;
        log.error('compaction failed', { tenantId, error: String(error) });
        if (isThrottled(error)) throttled = true;
      }
    }
  } finally {
    clearInterval(beat);
  }

  const outcome: TenantOutcome =
    failures.length === 0 && !incomplete && compactionFailure === null
      ? { tenantId, dates, ok: true, converted, rows, ...(compact ? { compactedMonths } : {}) }
      : {
          tenantId,
          dates,
          ok: false,
          error: throttled
            ? TASK_ERRORS.throttled
            : failures.length > 0
              ? TASK_ERRORS.conversionFailed
              : compactionFailure !== null
                ? TASK_ERRORS.compactionFailed
                : TASK_ERRORS.incomplete,
          cause:
            failures.length > 0
              ? failures.join('\n')
              : (compactionFailure ?? 'stopped before the function timed out'),
        };
  await deps.usage?.flush();
  try {
    if (outcome.ok) await deps.callbacks.success(taskToken, outcome);
    else
      await deps.callbacks.failure(
        taskToken,
        outcome.error ?? TASK_ERRORS.conversionFailed,
        outcome.cause ?? '',
      );
  } catch (error) {
    // The workflow stopped waiting (timeout, retry already under way): the work done stays done.
    if (!(error instanceof TaskTokenGoneError)) throw error;
    log.warn('task token no longer waited for', { tenantId, error: error.message });
  }
  return outcome;
}

/**
 * One SQS record. A malformed body cannot be answered (no token): it fails, and after
 * maxReceiveCount lands in the DLQ. A callback that could not be delivered throws, so SQS redelivers.
 */
export async function processRecordBody(body: string, deps: RunnerDeps): Promise<TenantOutcome> {
  return runTenant(parseFanOutMessage(body), deps);
}
