/**
 * Where later parts plug their routes into local mode (search, aggregate, nightly, tenant
 * delete). Each plugin adds to the route table with the runtime's adapters at hand:
 *
 *   export const searchRoutes: RoutePlugin = (routes, runtime) => {
 *     routes.add({ method: 'POST', path: '/v1/search', functionName: 'search', handler: createSearchHandler({...}) });
 *     routes.add({ method: 'GET', path: '/v1/search/{id}', functionName: 'search', handler: ... });
 *   };
 *
 * and list it in ROUTE_PLUGINS below. Admin operations wrap their action with adminRoute()
 * (admin-route.ts) for the token check and error mapping.
 */

import { nightlyRoutes } from './nightly/routes.js';
import type { RouteTable } from './routes.js';
import type { LocalRuntime } from './runtime.js';

export type RoutePlugin = (routes: RouteTable, runtime: LocalRuntime) => void;

export const ROUTE_PLUGINS: readonly RoutePlugin[] = [nightlyRoutes];

export function applyRoutePlugins(routes: RouteTable, runtime: LocalRuntime): void {
  for (const plugin of ROUTE_PLUGINS) plugin(routes, runtime);
}
