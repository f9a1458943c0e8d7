/**
 * Local mode's nightly and tenant-deletion operations (CONTRACT.md "Operations"), as a route
 * plugin and as plain functions for the CLI's in-process path:
 *
 *   POST   /v1/admin/nightly            {"date"?: "YYYY-MM-DD"}  → NightlySummary
 *   DELETE /v1/admin/tenants/{tenantId}                          → {tenantId, objects, bytes}
 *
 * Wiring: `nightlyRoutes` is listed in routePlugins() (shared/local/server/route-plugins.ts); the CLI calls
 * `runLocalNightly(runtime, date)` / `deleteLocalTenant(runtime, tenantId)` in process.
 */
import { runDate } from '../../../functions/nightly/core.js';
import type { NightlySummary } from '../../conversion/summary.js';
import { deleteTenant, type TenantDeletion } from '../../conversion/tenant-delete.js';
import { TENANT_PATTERN } from '../../domain/limits.js';
import { InvalidRequestError } from '../../errors.js';
import type { LocalRuntime } from '../runtime/runtime.js';
import { runNightly } from '../workflow/run-nightly.js';
import { adminRoute, jsonBody } from './admin-route.js';
import type { RoutePlugin } from './routes.js';

/** One nightly run at a time per process (two at once are safe, only wasteful). */
let running: Promise<unknown> = Promise.resolve();
function serialised<T>(work: () => Promise<T>): Promise<T> {
  const next = running.then(work, work);
  running = next.catch(() => undefined);
  return next;
}

export function runLocalNightly(runtime: LocalRuntime, date?: unknown): Promise<NightlySummary> {
  const day = runDate({ date }, runtime.clock.now());
  return serialised(async () => {
    const summary = await runNightly({
      store: runtime.store,
      dataDir: runtime.dataDir,
      clock: runtime.clock,
      date: day,
      usage: runtime.usage,
    });
    // The critical rule "a nightly tenant failed after its retries" (on AWS: the NightlyTenantFailures alarm).
    await runtime.sweeper.alertNightly(summary);
    return summary;
  });
}

/** Flushes buffered events first, so none of the tenant's accepted events survives in a buffer. */
export async function deleteLocalTenant(runtime: LocalRuntime, tenantId: string): Promise<TenantDeletion> {
  if (!TENANT_PATTERN.test(tenantId))
    throw new InvalidRequestError(`not a tenant id: ${JSON.stringify(tenantId)}`);
  await runtime.flush();
  return serialised(() => deleteTenant(runtime.store, tenantId));
}

export const nightlyRoutes: RoutePlugin = (routes, runtime) => {
  const deps = { keys: runtime.keys, clock: runtime.clock, logger: runtime.obs.logger };
  routes.add({
    method: 'POST',
    path: '/v1/admin/nightly',
    functionName: 'admin',
    handler: adminRoute(deps, async (event) => runLocalNightly(runtime, jsonBody(event).date)),
  });
  routes.add({
    method: 'DELETE',
    path: '/v1/admin/tenants/{tenantId}',
    functionName: 'admin',
    handler: adminRoute(deps, async (event) =>
      deleteLocalTenant(runtime, event.pathParameters?.tenantId ?? ''),
    ),
  });
};
