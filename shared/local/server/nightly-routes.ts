/**
 * Local mode's nightly and tenant-deletion operations (CONTRACT.md "Operations"), as a route
 * plugin and as plain functions for the CLI's in-process path:
 *
 *   POST   /v1/admin/nightly            {"date"?: "YYYY-MM-DD", "mode"?: "nightly" | "intraday"}  → NightlySummary
 *   DELETE /v1/admin/tenants/{tenantId}                          → {tenantId, objects, bytes}
 *
 * Wiring: `nightlyRoutes` is listed in routePlugins() (shared/local/server/route-plugins.ts); the CLI calls
 * `runLocalNightly(runtime, {date, mode})` / `deleteLocalTenant(runtime, tenantId)` in process. The
 * intraday timer (intraday-timer.ts) calls `runLocalNightlyIfIdle`: it never queues behind, nor
 * overlaps, a run in progress.
 */
import { runDate, runMode } from '../../../functions/nightly/core.js';
import type { NightlySummary } from '../../conversion/summary.js';
import { deleteTenant, type TenantDeletion } from '../../conversion/tenant-delete.js';
import { TENANT_PATTERN } from '../../domain/limits.js';
import { InvalidRequestError } from '../../errors.js';
import type { LocalRuntime } from '../runtime/runtime.js';
import { runNightly } from '../workflow/run-nightly.js';
import { adminRoute, jsonBody } from './admin-route.js';
import type { RoutePlugin } from './routes.js';

/** One nightly run (or tenant deletion) at a time per process (two at once are safe, only wasteful). */
let running: Promise<unknown> = Promise.resolve();
let inFlight = 0;
function serialised<T>(work: () => Promise<T>): Promise<T> {
  inFlight++;
  const next = running.then(work, work).finally(() => {
    inFlight--;
  });
  running = next.catch(() => undefined);
  return next;
}

export interface LocalRunRequest {
  date?: unknown;
  mode?: unknown;
}

export interface LocalNightlySettings {
  /** Intraday runs convert a hot day once its pending raw/ bytes reach this (default 0). */
  intradayMinRawBytes?: number;
}

export function runLocalNightly(
  runtime: LocalRuntime,
  request: LocalRunRequest = {},
  settings: LocalNightlySettings = {},
): Promise<NightlySummary> {
  const day = runDate({ date: request.date }, runtime.clock.now());
  const mode = runMode({ mode: request.mode });
  return serialised(async () => {
    const summary = await runNightly({
      store: runtime.store,
      dataDir: runtime.dataDir,
      clock: runtime.clock,
      date: day,
      mode,
      intradayMinRawBytes: settings.intradayMinRawBytes ?? 0,
      usage: runtime.usage,
    });
    // The critical rule "a nightly tenant failed after its retries" (on AWS: the NightlyTenantFailures alarm).
    await runtime.sweeper.alertNightly(summary);
    return summary;
  });
}

/** The intraday timer's run: null (skipped) while another run or deletion is under way or queued. */
export function runLocalNightlyIfIdle(
  runtime: LocalRuntime,
  request: LocalRunRequest,
  settings: LocalNightlySettings = {},
): Promise<NightlySummary | null> {
  if (inFlight > 0) return Promise.resolve(null);
  return runLocalNightly(runtime, request, settings);
}

/** Flushes buffered events first, so none of the tenant's accepted events survives in a buffer. */
export async function deleteLocalTenant(runtime: LocalRuntime, tenantId: string): Promise<TenantDeletion> {
  if (!TENANT_PATTERN.test(tenantId))
    throw new InvalidRequestError(`not a tenant id: ${JSON.stringify(tenantId)}`);
  await runtime.flush();
  return serialised(() => deleteTenant(runtime.store, tenantId));
}

export function nightlyRoutesWith(settings: LocalNightlySettings): RoutePlugin {
  return (routes, runtime) => {
    const deps = { keys: runtime.keys, clock: runtime.clock, logger: runtime.obs.logger };
    routes.add({
      method: 'POST',
      path: '/v1/admin/nightly',
      functionName: 'admin',
      handler: adminRoute(deps, async (event) => {
        const body = jsonBody(event);
        return runLocalNightly(runtime, { date: body.date, mode: body.mode }, settings);
      }),
    });
    tenantRoutes(routes, runtime);
  };
}

/** The nightly routes with the default settings (intraday: any pending bytes). */
export const nightlyRoutes: RoutePlugin = nightlyRoutesWith({});

function tenantRoutes(...[routes, runtime]: Parameters<RoutePlugin>): void {
  const deps = { keys: runtime.keys, clock: runtime.clock, logger: runtime.obs.logger };
  routes.add({
    method: 'DELETE',
    path: '/v1/admin/tenants/{tenantId}',
    functionName: 'admin',
    handler: adminRoute(deps, async (event) =>
      deleteLocalTenant(runtime, event.pathParameters?.tenantId ?? ''),
    ),
  });
}
