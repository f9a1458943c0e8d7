/**
 * Local mode's dead-letter sweep (CONTRACT.md "Operations"), as a route plugin and a plain
 * function for the CLI's in-process path:
 *
 *   POST /v1/admin/sweep  {"dryRun"?: boolean}  → SweepSummary (redriven, archived, alerts, per source)
 */
import type { SweepSummary } from '../../dlq/summary.js';
import { InvalidRequestError } from '../../errors.js';
import type { LocalRuntime } from '../runtime/runtime.js';
import { adminRoute, jsonBody } from './admin-route.js';
import type { RoutePlugin } from './routes.js';

export function runLocalSweep(runtime: LocalRuntime, dryRun?: unknown): Promise<SweepSummary> {
  if (dryRun !== undefined && typeof dryRun !== 'boolean')
    throw new InvalidRequestError('dryRun must be a boolean');
  return runtime.sweeper.run({ dryRun: dryRun === true });
}

export const sweepRoutes: RoutePlugin = (routes, runtime) => {
  routes.add({
    method: 'POST',
    path: '/v1/admin/sweep',
    functionName: 'admin',
    handler: adminRoute(
      { keys: runtime.keys, clock: runtime.clock, logger: runtime.obs.logger },
      async (event) => runLocalSweep(runtime, jsonBody(event).dryRun),
    ),
  });
};
