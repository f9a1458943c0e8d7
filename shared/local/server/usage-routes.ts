/**
 * Local mode's usage report (CONTRACT.md "Operations"), as a route plugin and as a plain
 * function for the CLI's in-process path:
 *
 *   GET /v1/admin/usage?tenant=&from=&to=   → {"from", "to", "rows": [UsageRow...]}
 *
 * `from`/`to` are inclusive UTC days (default: the last 30 days); rows come from the lake
 * (shared/usage/read-usage.ts). Buffered usage is written first, so the answer is up to date.
 */
import { parseUsageQuery, readUsage, type UsageRow } from '../../usage/read-usage.js';
import type { LocalRuntime } from '../runtime/runtime.js';
import { adminRoute } from './admin-route.js';
import type { RoutePlugin } from './routes.js';

export interface UsageReport {
  from: string;
  to: string;
  tenant: string | null;
  rows: UsageRow[];
}

export async function localUsage(
  runtime: LocalRuntime,
  input: { tenant?: string | undefined; from?: string | undefined; to?: string | undefined },
): Promise<UsageReport> {
  const query = parseUsageQuery(input, runtime.clock.now());
  await runtime.usage.flush();
  return {
    from: query.from,
    to: query.to,
    tenant: query.tenantId ?? null,
    rows: await readUsage(runtime.store, query),
  };
}

export const usageRoutes: RoutePlugin = (routes, runtime) => {
  const deps = { keys: runtime.keys, clock: runtime.clock, logger: runtime.obs.logger };
  routes.add({
    method: 'GET',
    path: '/v1/admin/usage',
    functionName: 'admin',
    handler: adminRoute(deps, async (event) => {
      const q = event.queryStringParameters ?? {};
      return localUsage(runtime, { tenant: q.tenant, from: q.from, to: q.to });
    }),
  });
};
