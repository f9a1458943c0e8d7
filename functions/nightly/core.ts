/**
 * The workflow's own steps, one function with an `action` (fewer cold starts, one IAM role):
 *   discover   {input: {date?, maxConcurrency?}, startTime}  → {date, runId, maxConcurrency, targets, items, deferred*}
 *
 * One execution takes at most `maxTenantsPerRun` tenants (default 1,000): the inline Map's state
 * payload (items + results, 256 KiB) and the execution history (25,000 events) stay bounded. The
 * tenants whose oldest pending day is oldest go first; the rest stay pending in raw/ (reported as
 * deferred) for the next execution.
 *   housekeep  {date, now?}                                    → retention report
 *   summarise  {date, runId, targets, results}                 → NightlySummary (+ metric NightlyTenantFailures)
 */

import { discoverTargets } from '../../shared/conversion/discover.js';
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
  clock: Clock;
  metrics: MetricSink;
  retention?: RetentionPolicy;
  /** On AWS lifecycle rules cover the prefix-age parts: ['parquet'] (docs/nightly.md). */
  retentionAreas?: readonly RetentionArea[];
  defaultMaxConcurrency: number;
  /** Default 1,000 (see above). */
  maxTenantsPerRun?: number;
  /** Days of the previous layout rewritten per run (default 50; docs/deploy.md "Upgrading the layout"). */
  legacyDaysPerRun?: number;
}

export type NightlyAction =
  | { action: 'discover'; input?: { date?: unknown; maxConcurrency?: unknown }; startTime?: string }
  | { action: 'housekeep'; date: string }
  | {
      action: 'summarise';
      date: string;
      runId: string;
      targets: number;
      deferredTenants?: number;
      deferredTargets?: number;
      results: TenantOutcome[];
    };

export interface DiscoverOutput {
  date: string;
  runId: string;
  maxConcurrency: number;
  targets: number;
  items: { tenantId: string; dates: string[] }[];
  /** Tenants (and their tenant-days) left for a later execution. */
  deferredTenants: number;
  deferredTargets: number;
}

export const DEFAULT_MAX_TENANTS_PER_RUN = 1000;

/** Inline Map runs at most 40 iterations at once (FACTS.md). */
export const MAX_INLINE_MAP_CONCURRENCY = 40;

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

export async function discover(
  event: Extract<NightlyAction, { action: 'discover' }>,
  deps: NightlyDeps,
): Promise<DiscoverOutput> {
  const now = deps.clock.now();
  const date = runDate(event.input, now);
  const requested = event.input?.maxConcurrency;
  const maxConcurrency =
    typeof requested === 'number' && Number.isInteger(requested) && requested > 0
      ? Math.min(requested, MAX_INLINE_MAP_CONCURRENCY)
      : deps.defaultMaxConcurrency;
  const found = await discoverTargets(deps.store, date, 16, deps.legacyDaysPerRun);
  // Days still in the previous layout (before this run): the migration is over at 0.
  deps.metrics.addMetric('NightlyLegacyDays', 'Count', found.legacyDays);
  const cap = deps.maxTenantsPerRun ?? DEFAULT_MAX_TENANTS_PER_RUN;
  const byAge = [...found.items].sort((a, b) => {
    const oldest = (a.dates[0] ?? '').localeCompare(b.dates[0] ?? '');
    return oldest !== 0 ? oldest : a.tenantId.localeCompare(b.tenantId);
  });
  const taken = byAge.slice(0, cap).sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  const deferred = byAge.slice(cap);
  const targets = taken.reduce((n, i) => n + i.dates.length, 0);
  deps.metrics.addMetric('NightlyTargets', 'Count', targets);
  return {
    date,
    runId: newRunId(deps.clock),
    maxConcurrency,
    targets,
    items: taken,
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

export function summariseRun(
  event: Extract<NightlyAction, { action: 'summarise' }>,
  deps: NightlyDeps,
): NightlySummary {
  const summary = summarise(event);
  // The critical alarm (Terraform) fires on this metric: tenants that failed after retries.
  deps.metrics.addMetric('NightlyTenantFailures', 'Count', summary.failedTenants.length);
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
