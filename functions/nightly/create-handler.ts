/** The nightly function's handler (Step Functions lambda:invoke payload = NightlyAction). */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type Observability, observe } from '../../shared/observability/index.js';
import { type NightlyAction, type NightlyDeps, runAction } from './core.js';

export function createNightlyHandler(
  deps: Omit<NightlyDeps, 'metrics'> & { obs: Observability },
): (event: NightlyAction, context: Context) => Promise<unknown> {
  const metrics = {
    addMetric: (name: string, unit: 'Count', value: number) => deps.obs.metrics.addMetric(name, unit, value),
  };
  const handler = middy<NightlyAction, unknown, Error, Context>().handler(async (event) => {
    deps.obs.logger.info('nightly step', { action: event.action });
    return runAction(event, { ...deps, metrics });
  });
  return observe(handler, deps.obs) as unknown as (
    event: NightlyAction,
    context: Context,
  ) => Promise<unknown>;
}
