/** The nightly run's summary, built from the Map's per-tenant outcomes. */
export interface TenantOutcome {
  tenantId: string;
  dates: string[];
  ok: boolean;
  /** Tenant-days converted (ok only). */
  converted?: number;
  rows?: number;
  /** Step Functions' error name and cause (failed only). */
  error?: string;
  cause?: string;
}

export interface NightlySummary {
  date: string;
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
  failedTenants: string[];
  rows: number;
  failures: { tenantId: string; error: string; cause: string }[];
}

const MAX_CAUSE = 500;

export function summarise(input: {
  date: string;
  runId: string;
  targets: number;
  deferredTenants?: number;
  deferredTargets?: number;
  results: readonly TenantOutcome[];
}): NightlySummary {
  const ok = input.results.filter((r) => r.ok);
  const bad = input.results.filter((r) => !r.ok);
  return {
    date: input.date,
    runId: input.runId,
    targets: input.targets,
    succeeded: ok.reduce((n, r) => n + r.dates.length, 0),
    failed: bad.reduce((n, r) => n + r.dates.length, 0),
    deferredTenants: input.deferredTenants ?? 0,
    deferredTargets: input.deferredTargets ?? 0,
    tenants: input.results.length,
    failedTenants: bad.map((r) => r.tenantId).sort(),
    rows: ok.reduce((n, r) => n + (r.rows ?? 0), 0),
    failures: bad.map((r) => ({
      tenantId: r.tenantId,
      error: r.error ?? 'unknown',
      cause: (r.cause ?? '').slice(0, MAX_CAUSE),
    })),
  };
}
