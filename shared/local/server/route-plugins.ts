/**
 * Where later parts plug their routes into local mode (search, aggregate, nightly, tenant
 * delete). Each plugin adds to the route table with the runtime's adapters at hand:
 *
 *   export const searchRoutes: RoutePlugin = (routes, runtime) => {
 *     routes.add({ method: 'POST', path: '/v1/search', functionName: 'search', handler: createSearchHandler({...}) });
 *     routes.add({ method: 'GET', path: '/v1/search/{id}', functionName: 'search', handler: ... });
 *   };
 *
 * and list it in routePlugins() below. Admin operations wrap their action with adminRoute()
 * (admin-route.ts) for the token check and error mapping.
 */

import { searchRoutes } from '../../../functions/search/local.js';
import type { LocalConfig } from '../runtime/config.js';
import type { LocalRuntime } from '../runtime/runtime.js';
import { nightlyRoutesWith } from './nightly-routes.js';
import type { RoutePlugin, RouteTable } from './routes.js';
import { sweepRoutes } from './sweep-routes.js';
import { usageRoutes } from './usage-routes.js';

/** Every plugin local mode serves, configured from the local settings. */
export type PluginConfig = Pick<LocalConfig, 'search'> & Partial<Pick<LocalConfig, 'intraday'>>;

export function routePlugins(config: PluginConfig): readonly RoutePlugin[] {
  const nightly = nightlyRoutesWith(
    config.intraday ? { intradayMinRawBytes: config.intraday.minRawBytes } : {},
  );
  return [nightly, sweepRoutes, searchRoutes(config.search), usageRoutes];
}

export function applyRoutePlugins(config: PluginConfig): RoutePlugin {
  const plugins = routePlugins(config);
  return (routes: RouteTable, runtime: LocalRuntime) => {
    for (const plugin of plugins) plugin(routes, runtime);
  };
}
