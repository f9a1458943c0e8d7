/** The nightly run's summary, built from the Map's per-tenant outcomes. */
export interface TenantOutcome {
  tenantId: string;
  dates: string[];
  ok: boolean;
  /** Tenant-days converted (ok only). */
  converted?: number;
  rows?: number;
  /** Months compacted after the conversion (docs/nightly.md "Compaction"). */
  compactedMonths?: number;
  /** Step Functions' error name and cause (failed only). */
  error?: string;
  cause?: string;
}

export interface NightlySummary {
  date: string;
  /** `nightly` or `intraday` (docs/nightly.md "Intraday runs"). */
  mode: 'nightly' | 'intraday';
  runId: string;
  /** Tenant-days found pending. */
  targets: number;
  /** Tenant-days of tenants whose conversion succeeded. */
  succeeded: number;
  /** Tenant-days of tenants that failed after retries (still pending in raw/). */
  failed: number;
  /** Tenants (tenant-days) over this execution's cap, left pending for the next one. */
  deferredTenants: number;
  deferredTargets: number;
  tenants: number;
  /** Tenants that failed; `failedTenants` lists at most the first 1,000 of them (by id). */
  failedTenantCount: number;
  failedTenants: string[];
  rows: number;
  /** At most 100, causes cut to 500 characters: the summary stays far below Step Functions' 256 KiB. */
  failures: { tenantId: string; error: string; cause: string }[];
}

const MAX_CAUSE = 500;
export const MAX_LISTED_FAILED_TENANTS = 1000;
export const MAX_LISTED_FAILURES = 100;

export function summarise(input: {
  date: string;
  mode?: 'nightly' | 'intraday';
  runId: string;
  targets: number;
  deferredTenants?: number;
  deferredTargets?: number;
  results: readonly TenantOutcome[];
}): NightlySummary {
  const ok = input.results.filter((r) => r.ok);
  const bad = input.results.filter((r) => !r.ok).sort((a, b) => (a.tenantId < b.tenantId ? -1 : 1));
  return {
    date: input.date,
    mode: input.mode ?? 'nightly',
    runId: input.runId,
    targets: input.targets,
    succeeded: ok.reduce((n, r) => n + r.dates.length, 0),
    failed: bad.reduce((n, r) => n + r.dates.length, 0),
    deferredTenants: input.deferredTenants ?? 0,
    deferredTargets: input.deferredTargets ?? 0,
    tenants: input.results.length,
    failedTenantCount: bad.length,
    failedTenants: bad.slice(0, MAX_LISTED_FAILED_TENANTS).map((r) => r.tenantId),
    rows: ok.reduce((n, r) => n + (r.rows ?? 0), 0),
    failures: bad.slice(0, MAX_LISTED_FAILURES).map((r) => ({
      tenantId: r.tenantId,
      error: r.error ?? 'unknown',
      cause: (r.cause ?? '').slice(0, MAX_CAUSE),
    })),
  };
}
