/**
 * One conversion of a tenant-day at a time: a lease per tenant-day, taken before convert.ts runs
 * and given back after its last step (docs/nightly.md "Overlap").
 *
 * Why: an intraday run and the nightly run (or two intraday runs) may target the same hot day.
 * convert.ts stays correct when two conversions of a day overlap (every event stays visible once,
 * the later to settle merges the other's files), but two conversions started side by side can
 * keep invalidating each other: each one's replace and archive steps move files the other is
 * reading, the other starts over, and so on until MAX_SETTLE_ROUNDS. With the lease the second
 * conversion waits for the first to finish and then converts only what is left (raw objects that
 * arrived meanwhile), from a snapshot nobody moves under it.
 *
 * The lease is an optimisation of who works, never what is correct: a lease that expires under
 * a conversion still running (longer than the lease's time to live) only lets convert.ts's
 * overlap handling do its work.
 *
 * Adapters: S3 conditional writes on AWS (shared/adapters/aws/s3-day-leases.ts), an in-process
 * table in local mode (shared/adapters/local/in-process-day-leases.ts: one process owns a data
 * directory).
 */
import { randomUUID } from 'node:crypto';
import { type ConversionResult, type ConvertDeps, type ConvertTarget, convertPartition } from './convert.js';
import { ConversionError } from './errors.js';

export interface DayLease {
  /** Gives the tenant-day back (a lease another holder took over after it expired stays theirs). */
  release(): Promise<void>;
}

export interface DayLeases {
  /** Takes the tenant-day for `owner`; null while another live holder has it. */
  tryAcquire(tenantId: string, dt: string, owner: string): Promise<DayLease | null>;
}

/** Another conversion held the tenant-day for the whole wait; the task is retried later. */
export class ConversionBusyError extends ConversionError {}

/** How long a conversion waits for another conversion of its day by default. */
export const DEFAULT_LEASE_WAIT_MS = 120_000;
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 5_000;

export interface LeasedConvertDeps extends ConvertDeps {
  /** Absent: no lease (convert.ts's overlap handling alone). */
  leases?: DayLeases;
  /** How long to wait for another conversion of the day (default DEFAULT_LEASE_WAIT_MS). */
  leaseWaitMs?: number;
  /** For tests: how a wait sleeps. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * convertPartition under the tenant-day's lease: waits (polling with doubling intervals) while
 * another conversion holds it, throws ConversionBusyError when the wait runs out.
 */
export async function convertDay(deps: LeasedConvertDeps, target: ConvertTarget): Promise<ConversionResult> {
  const { leases } = deps;
  if (!leases) return convertPartition(deps, target);
  const owner = target.runId ?? randomUUID();
  const sleep = deps.sleep ?? realSleep;
  const waitMs = deps.leaseWaitMs ?? DEFAULT_LEASE_WAIT_MS;
  let waited = 0;
  let pause = FIRST_POLL_MS;
  let lease = await leases.tryAcquire(target.tenantId, target.dt, owner);
  while (lease === null) {
    if (waited >= waitMs) {
      throw new ConversionBusyError(
        `${target.tenantId}/${target.dt}: another conversion of the day held it for ${waited} ms`,
      );
    }
    const step = Math.min(pause, waitMs - waited);
    await sleep(step);
    waited += step;
    pause = Math.min(pause * 2, MAX_POLL_MS);
    lease = await leases.tryAcquire(target.tenantId, target.dt, owner);
  }
  try {
    return await convertPartition(deps, target);
  } finally {
    await lease.release();
  }
}
