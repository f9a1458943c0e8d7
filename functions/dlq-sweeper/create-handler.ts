/**
 * The dlq-sweeper Lambda handler for any set of adapters. Invoked by its EventBridge Scheduler
 * schedule (input `{}`) or by hand (`{"dryRun": true}`); answers the sweep's summary. A sweep
 * that fails as a whole (not one source: sweep() reports those itself) tries to say so on the
 * alert topic, then fails the invocation (the Lambda errors alarm fires too).
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AlertGate } from '../../shared/dlq/alerts.js';
import type { SweepMetrics } from '../../shared/dlq/ports.js';
import type { SweepSummary } from '../../shared/dlq/summary.js';
import { errorText, type SweepConfig, type SweepDeps, sweep } from '../../shared/dlq/sweep.js';
import { MetricUnit, type Observability, observe } from '../../shared/observability/index.js';

export interface DlqSweeperDeps extends Omit<SweepDeps, 'log' | 'metrics'> {
  config: SweepConfig;
  obs: Observability;
  metrics?: SweepMetrics;
}

export interface SweepEvent {
  dryRun?: boolean;
}

/** One EMF metric per (name, dimensions): DeadLetters{source, class}, DeadLettersArchived{source}... */
export function emfSweepMetrics(obs: Observability): SweepMetrics {
  return {
    count(name, dimensions, value) {
      const single = obs.metrics.singleMetric();
      for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
      single.addMetric(name, MetricUnit.Count, value);
    },
  };
}

export function createDlqSweeperHandler(
  deps: DlqSweeperDeps,
): (event: SweepEvent, context: Context) => Promise<SweepSummary> {
  const { logger } = deps.obs;
  const sweepDeps: SweepDeps = {
    ...deps,
    log: {
      info: (message, extra = {}) => logger.info(message, extra),
      warn: (message, extra = {}) => logger.warn(message, extra),
      error: (message, extra = {}) => logger.error(message, extra),
    },
    metrics: deps.metrics ?? emfSweepMetrics(deps.obs),
  };
  const handler = middy<SweepEvent, SweepSummary, Error, Context>().handler(async (event) => {
    try {
      const summary = await sweep(sweepDeps, deps.config, { dryRun: event?.dryRun === true });
      deps.obs.metrics.addMetric('SweepRuns', MetricUnit.Count, 1);
      deps.obs.metrics.addMetric('SweepAlertsSent', MetricUnit.Count, summary.alerts);
      return summary;
    } catch (error) {
      logger.error('sweep failed', { error: errorText(error) });
      await new AlertGate(deps, deps.config.alerts.dedupWindowMs)
        .send({
          rule: 'sweeper_failed',
          key: 'sweeper_failed:sweep',
          subject: 'oplake CRITICAL: the dlq-sweeper failed',
          message: `${errorText(error)}\nDead letters stay where they are; nothing was lost. Runbook: docs/runbook.md#sweeper_failed`,
        })
        .catch((alertError: unknown) =>
          logger.error('cannot send the alert either', { error: errorText(alertError) }),
        );
      throw error;
    }
  });
  return observe(handler, deps.obs) as unknown as (
    event: SweepEvent,
    context: Context,
  ) => Promise<SweepSummary>;
}
