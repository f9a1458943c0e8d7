/**
 * The workflow's own steps, one function with an `action` (fewer cold starts, one IAM role):
 *   discover   {input: {date?, maxConcurrency?, mode?}, startTime}
 *              → writes the night's work list (JSON Lines, one tenant a line) to
 *                nightly/RUN/work-list.jsonl and answers {date, mode, runId, maxConcurrency, batchSize,
 *                targets, tenants, workList: {bucket, key}, results: {bucket, prefix}, deferred*}
 *   housekeep  {date}                                          → retention report (nightly mode only)
 *   summarise  {date, mode, runId, targets, resultWriter | results}  → NightlySummary (+ metric NightlyTenantFailures)
 *
 * `mode` is `nightly` (default) or `intraday` (docs/nightly.md "Intraday runs": the run's date and
 * the day before only, days with at least `intradayMinRawBytes` pending, no migration, no
 * retention, no compaction).
 *
 * The Distributed Map reads the work list (ItemReader) and writes its children's results to S3
 * (ResultWriter); summarise reads them from there, so no tenant list passes through the state and
 * there is no per-run cap. `maxTenantsPerRun` remains only as back-pressure (unset by default).
 */

import {
  discoverTargets,
  RUN_MODES,
  type RunMode,
  type TenantTargets,
} from '../../shared/conversion/discover.js';
import {
  assertOwnBucket,
  encodeWorkList,
  type ResultWriterDetails,
  readMapRunOutcomes,
  resultsPrefix,
  workListKey,
} from '../../shared/conversion/map-results.js';
import {
  ALL_RETENTION_AREAS,
  applyRetention,
  DEFAULT_RETENTION,
  type RetentionArea,
  type RetentionPolicy,
  type RetentionReport,
} from '../../shared/conversion/retention.js';
import { newRunId } from '../../shared/conversion/run-id.js';
import { type NightlySummary, summarise, type TenantOutcome } from '../../shared/conversion/summary.js';
import { assertDate } from '../../shared/domain/layout.js';
import { InvalidRequestError } from '../../shared/errors.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { ObjectStore } from '../../shared/ports/object-store.js';

export interface MetricSink {
  addMetric(name: string, unit: 'Count', value: number): void;
}

export interface NightlyDeps {
  store: ObjectStore;
  /** The lake bucket's name, as ItemReader and ResultWriter name it (locally: LOCAL_LAKE_BUCKET). */
  bucket: string;
  clock: Clock;
  metrics: MetricSink;
  retention?: RetentionPolicy;
  /** On AWS lifecycle rules cover the prefix-age parts: ['parquet'] (docs/nightly.md). */
  retentionAreas?: readonly RetentionArea[];
  /**
   * Child executions (= Convert tasks = Athena DML queries) at once: the default and the ceiling of
   * an input's `maxConcurrency`, sized to leave search its share of the DML quota (docs/nightly.md).
   */
  defaultMaxConcurrency: number;
  /** Tenants per child execution (ItemBatcher MaxItemsPerBatch), default DEFAULT_BATCH_SIZE. */
  batchSize?: number;
  /** Tenant listings in flight at once (default 16; the Lambda uses 64: 20,000 tenants in ~15 s). */
  listWidth?: number;
  /** Back-pressure only: tenants per execution, oldest pending day first; unset = all. */
  maxTenantsPerRun?: number;
  /** Days of the previous layout rewritten per run (default 50; docs/deploy.md "Upgrading the layout"). */
  legacyDaysPerRun?: number;
  /** Intraday runs convert a hot day when its pending raw/ bytes reach this (default 0: any). */
  intradayMinRawBytes?: number;
}

export type NightlyAction =
  | {
      action: 'discover';
      input?: { date?: unknown; maxConcurrency?: unknown; mode?: unknown };
      startTime?: string;
    }
  | { action: 'housekeep'; date: string }
  | {
      action: 'summarise';
      date: string;
      mode?: RunMode;
      runId: string;
      targets: number;
      deferredTenants?: number;
      deferredTargets?: number;
      /** The Distributed Map's ResultWriter output (the deployed workflow). */
      resultWriter?: ResultWriterDetails;
      /** Outcomes given inline (tests, tools). */
      results?: TenantOutcome[];
    };

export interface DiscoverOutput {
  date: string;
  mode: RunMode;
  runId: string;
  maxConcurrency: number;
  batchSize: number;
  targets: number;
  tenants: number;
  /** ItemReader's object: JSON Lines `{tenantId, dates}`. */
  workList: { bucket: string; key: string };
  /** ResultWriter's location. */
  results: { bucket: string; prefix: string };
  /** Tenants (and their tenant-days) left for a later execution by the back-pressure cap. */
  deferredTenants: number;
  deferredTargets: number;
}

/** Tenants a child execution converts (ItemBatcher): measured in docs/nightly.md, "ItemBatcher". */
export const DEFAULT_BATCH_SIZE = 25;

/** A Distributed Map runs at most 10,000 child executions at once (FACTS.md). */
export const MAX_DISTRIBUTED_MAP_CONCURRENCY = 10_000;

export function runDate(input: { date?: unknown } | undefined, now: Date): string {
  const date = input?.date;
  if (date === undefined || date === null || date === '') return now.toISOString().slice(0, 10);
  if (typeof date !== 'string') throw new InvalidRequestError('date must be YYYY-MM-DD');
  try {
    assertDate(date);
  } catch (error) {
    throw new InvalidRequestError((error as Error).message, { cause: error });
  }
  return date;
}

/** The input's `mode`: `nightly` when absent, InvalidRequestError when not one of RUN_MODES. */
export function runMode(input: { mode?: unknown } | undefined): RunMode {
  const mode = input?.mode;
  if (mode === undefined || mode === null || mode === '') return 'nightly';
  if (typeof mode !== 'string' || !(RUN_MODES as readonly string[]).includes(mode)) {
    throw new InvalidRequestError(`mode must be one of ${RUN_MODES.join(', ')}`);
  }
  return mode as RunMode;
}

export async function discover(
  event: Extract<NightlyAction, { action: 'discover' }>,
  deps: NightlyDeps,
): Promise<DiscoverOutput> {
  const now = deps.clock.now();
  const date = runDate(event.input, now);
  const mode = runMode(event.input);
  const requested = event.input?.maxConcurrency;
  const maxConcurrency =
    typeof requested === 'number' && Number.isInteger(requested) && requested > 0
      ? Math.min(requested, deps.defaultMaxConcurrency)
      : deps.defaultMaxConcurrency;
  const found = await discoverTargets(deps.store, date, {
    mode,
    ...(deps.listWidth === undefined ? {} : { width: deps.listWidth }),
    ...(deps.legacyDaysPerRun === undefined ? {} : { legacyDaysPerRun: deps.legacyDaysPerRun }),
    ...(deps.intradayMinRawBytes === undefined ? {} : { minRawBytes: deps.intradayMinRawBytes }),
  });
  // Days still in the previous layout (before this run): the migration is over at 0 (an
  // intraday run does not look).
  if (mode === 'nightly') deps.metrics.addMetric('NightlyLegacyDays', 'Count', found.legacyDays);
  const cap = deps.maxTenantsPerRun ?? Number.POSITIVE_INFINITY;
  const byId = (a: TenantTargets, b: TenantTargets) =>
    a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0;
  const byAge = [...found.items].sort((a, b) => {
    const x = a.dates[0] ?? '';
    const y = b.dates[0] ?? '';
    return x < y ? -1 : x > y ? 1 : byId(a, b);
  });
  const taken = byAge.slice(0, cap).sort(byId);
  const deferred = byAge.slice(cap);
  const targets = taken.reduce((n, i) => n + i.dates.length, 0);
  deps.metrics.addMetric('NightlyTargets', 'Count', targets);
  const runId = newRunId(deps.clock);
  const key = workListKey(runId);
  await deps.store.put(key, encodeWorkList(taken), { contentType: 'application/jsonl' });
  return {
    date,
    mode,
    runId,
    maxConcurrency,
    batchSize: deps.batchSize ?? DEFAULT_BATCH_SIZE,
    targets,
    tenants: taken.length,
    workList: { bucket: deps.bucket, key },
    results: { bucket: deps.bucket, prefix: resultsPrefix(runId) },
    deferredTenants: deferred.length,
    deferredTargets: found.targets - targets,
  };
}

export function housekeep(_event: { date: string }, deps: NightlyDeps): Promise<RetentionReport> {
  return applyRetention(deps.store, {
    policy: deps.retention ?? DEFAULT_RETENTION,
    now: deps.clock.now(),
    areas: deps.retentionAreas ?? ALL_RETENTION_AREAS,
  });
}

export async function summariseRun(
  event: Extract<NightlyAction, { action: 'summarise' }>,
  deps: NightlyDeps,
): Promise<NightlySummary> {
  let results = event.results ?? [];
  if (event.resultWriter) {
    assertOwnBucket(event.resultWriter, deps.bucket);
    results = (await readMapRunOutcomes(deps.store, event.resultWriter)).outcomes;
  } else if (!event.results) {
    throw new InvalidRequestError('summarise needs resultWriter or results');
  }
  const summary = summarise({ ...event, results });
  // The critical alarm (Terraform) fires on this metric: tenants that failed after retries.
  deps.metrics.addMetric('NightlyTenantFailures', 'Count', summary.failedTenantCount);
  deps.metrics.addMetric('NightlyTenantDaysConverted', 'Count', summary.succeeded);
  return summary;
}

export async function runAction(event: NightlyAction, deps: NightlyDeps): Promise<unknown> {
  switch (event.action) {
    case 'discover':
      return discover(event, deps);
    case 'housekeep':
      return housekeep(event, deps);
    case 'summarise':
      return summariseRun(event, deps);
    default:
      throw new InvalidRequestError(
        `unknown action: ${JSON.stringify((event as { action?: unknown }).action)}`,
      );
  }
}
