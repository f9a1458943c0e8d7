/**
 * nightly-scale (issue 10): 20,000 tenants x 1 day of a few events, locally, through the deployed
 * ASL (Distributed Map over the work list, batches as child executions, ResultWriter, Summarise).
 * One round of each (a run of this size is its own warm-up), each phase in its own process on a
 * fresh copy of one generated lake:
 *   discover        Discover (S3-style listing + work list) vs the file system's readdir of raw/
 *   whole run       every tenant converted in one execution vs DuckDB's bare COPY per tenant-day
 *   ItemBatcher     batches of 25 tenants vs one tenant per child execution
 *   small tenants   100 small tenant-days in one statement vs one statement each (prototype)
 * The whole run's case also carries the modelled AWS cost of that night (night-cost.ts).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NightlySummary } from '../../shared/conversion/summary.js';
import { type CaseResult, inChild, type Measurement } from './harness.js';
import { modelNightCost, type StoreCalls } from './night-cost.js';

const PHASE = 'test/bench/nightly-scale-phase.ts';
const TENANTS = 20_000;
const EVENTS = 5;
const WIDTH = 8;

interface Timed {
  ms: number;
  peakRssBytes: number;
}
interface NightlyPhase extends Timed {
  summary: NightlySummary;
  children: number;
  convertAttempts: number;
  rawBytes: number;
  parquetBytes: number;
  parquetFiles: number;
  calls: StoreCalls;
}

function measurement(t: Timed, units: number, extra?: Record<string, number | string>): Measurement {
  const seconds = t.ms / 1000;
  return { seconds, units, rate: units / seconds, peakRssBytes: t.peakRssBytes, ...(extra ? { extra } : {}) };
}

function result(
  bench: string,
  name: string,
  unit: string,
  candidate: Measurement,
  baseline: Measurement,
  baselineName: string,
): CaseResult {
  return {
    bench,
    case: name,
    unit,
    candidate,
    baseline,
    baselineName,
    ratio: candidate.rate / baseline.rate,
  };
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)}MiB`;

export function run(progress: (message: string) => void): Promise<CaseResult[]> {
  return runScale(TENANTS, progress);
}

/** The same cases at another size (a quick check of the benchmark itself: `runScale(300, log)`). */
export async function runScale(TENANTS: number, progress: (message: string) => void): Promise<CaseResult[]> {
  const work = await mkdtemp(join(tmpdir(), 'oplake-bench-scale-'));
  try {
    const template = join(work, 'template');
    progress(`nightly-scale: generating ${TENANTS} tenants x 1 day x ${EVENTS} events`);
    const lake = await inChild<{ tenants: number; rawObjects: number; rawBytes: number }>(PHASE, [
      'generate',
      template,
      String(TENANTS),
      String(EVENTS),
    ]);
    let round = 0;
    // Each phase's figures go to the progress log as soon as they exist (a long run that fails
    // later still leaves them).
    const phase = async <T extends Timed>(args: string[], dir: string): Promise<T> => {
      const out = await inChild<T>(PHASE, [args[0] ?? '', dir, ...args.slice(1)]);
      const { summary: _summary, ...figures } = out as T & { summary?: unknown };
      progress(`nightly-scale: ${args.join(' ')}: ${JSON.stringify(figures)}`);
      return out;
    };
    const fresh = async <T extends Timed>(args: string[]): Promise<T> => {
      const dir = join(work, `round-${round++}`);
      await cp(template, dir, { recursive: true });
      try {
        return await phase<T>(args, dir);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };

    const idle = await phase<Timed>(['idle'], template);
    const discover = await phase<Timed & { tenants: number; workListBytes: number; listCalls: number }>(
      ['discover'],
      template,
    );
    const readdir = await phase<Timed & { targets: number }>(['readdir'], template);

    // The short phases first: a mistake there costs seconds, not the two long runs.
    const bare = await fresh<Timed>(['bare']);
    const each = await fresh<Timed & { tenantDays: number; rows: number }>(['small', '100', 'each']);
    const single = await fresh<Timed & { tenantDays: number; rows: number }>(['small', '100', 'one']);
    const one = await fresh<NightlyPhase>(['nightly', '1', String(WIDTH)]);
    const batched = await fresh<NightlyPhase>(['nightly', '25', String(WIDTH)]);

    const costOf = (p: NightlyPhase) =>
      modelNightCost({
        tenants: p.summary.tenants,
        tenantDays: p.summary.targets,
        children: p.children,
        convertAttempts: p.convertAttempts,
        failedTenants: p.summary.failedTenantCount,
        scannedBytesPerTenantDay: (p.rawBytes + p.parquetBytes) / Math.max(1, p.summary.targets),
        store: p.calls,
      });
    const runExtra = (p: NightlyPhase) => {
      const cost = costOf(p);
      return {
        converted: p.summary.succeeded,
        failed: p.summary.failed,
        deferred: p.summary.deferredTenants,
        children: p.children,
        parquetFiles: p.parquetFiles,
        athenaQueries: cost.athena.queries,
        athenaBilledGB: (cost.athena.billedBytes / 1e9).toFixed(1),
        sfnTransitions: cost.stepFunctions.transitions,
        s3Requests: cost.s3.putCopyList + cost.s3.get,
        usdAthena: cost.athena.usd.toFixed(2),
        usdStepFunctions: cost.stepFunctions.usd.toFixed(2),
        usdLambda: cost.lambda.usd.toFixed(2),
        usdS3: cost.s3.usd.toFixed(2),
        usdSqs: cost.sqs.usd.toFixed(3),
        usdNight: cost.totalUsd.toFixed(2),
      };
    };
    if (one.summary.succeeded !== TENANTS || batched.summary.succeeded !== TENANTS) {
      throw new Error(`not every tenant converted: ${one.summary.succeeded} / ${batched.summary.succeeded}`);
    }
    return [
      result(
        'nightly-scale',
        `discover ${TENANTS.toLocaleString('en-US')} tenants`,
        'tenants',
        measurement(discover, discover.tenants, {
          listCalls: discover.listCalls,
          workListKB: (discover.workListBytes / 1024).toFixed(0),
          idleRss: mib(idle.peakRssBytes),
        }),
        measurement(readdir, readdir.targets),
        'readdir of raw/ (file system asked directly)',
      ),
      result(
        'nightly-scale',
        `${TENANTS.toLocaleString('en-US')} tenants x 1 day, whole run (1 tenant a child)`,
        'tenant-days',
        measurement(one, one.summary.targets, runExtra(one)),
        measurement(bare, lake.tenants),
        'DuckDB bare COPY per tenant-day',
      ),
      result(
        'nightly-scale',
        `${TENANTS.toLocaleString('en-US')} tenants, ItemBatcher 25 a child`,
        'tenant-days',
        measurement(batched, batched.summary.targets, runExtra(batched)),
        measurement(one, one.summary.targets),
        '1 tenant a child',
      ),
      result(
        'small-tenants',
        '100 small tenant-days in one statement (prototype)',
        'tenant-days',
        measurement(single, single.tenantDays, { rows: single.rows }),
        measurement(each, each.tenantDays, { rows: each.rows }),
        'one statement per tenant-day',
      ),
    ];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
