/**
 * The dlq-sweeper of local mode: the same core (shared/dlq/sweep.ts) over the disk queue's
 * `dlq/` folder (source `batches`), the lake's Firehose error prefix (re-ingested through the
 * local stream), and alerts in `<dataDir>/alerts/alerts.jsonl`. Run by the dev server's timer,
 * `oplake sweep` and POST /v1/admin/sweep, one sweep at a time.
 */
import { join } from 'node:path';
import { DiskDeadLetters } from '../../adapters/local/disk-dead-letters.js';
import type { DiskQueue } from '../../adapters/local/disk-queue.js';
import { FileAlerter } from '../../adapters/local/file-alerter.js';
import type { FileObjectStore } from '../../adapters/local/file-object-store.js';
import { SerialQueue } from '../../adapters/local/fs-durable.js';
import type { NightlySummary } from '../../conversion/summary.js';
import { AlertGate, nightlyAlert } from '../../dlq/alerts.js';
import type { SweepMetrics } from '../../dlq/ports.js';
import type { SweepSummary } from '../../dlq/summary.js';
import { DEFAULT_SWEEP_CONFIG, type SweepConfig, sweep } from '../../dlq/sweep.js';
import type { Observability } from '../../observability/index.js';
import type { Clock } from '../../ports/clock.js';
import type { DeliveryStream } from '../../ports/delivery-stream.js';

export interface LocalSweeperDeps {
  dataDir: string;
  store: FileObjectStore;
  queue: DiskQueue;
  stream: DeliveryStream;
  clock: Clock;
  obs: Observability;
  config?: SweepConfig;
}

export interface LocalSweeper {
  readonly alerter: FileAlerter;
  run(options?: { dryRun?: boolean }): Promise<SweepSummary>;
  /** The nightly rule: one alert when a tenant failed after its retries (deduplicated per run date). */
  alertNightly(summary: NightlySummary): Promise<void>;
  /** Resolves once no sweep is running (the runtime waits for it before closing). */
  idle(): Promise<void>;
}

export function createLocalSweeper(deps: LocalSweeperDeps): LocalSweeper {
  const config = deps.config ?? DEFAULT_SWEEP_CONFIG;
  const { logger } = deps.obs;
  const alerter = new FileAlerter(join(deps.dataDir, 'alerts'), deps.clock, {
    warn: (message, extra = {}) => logger.warn(message, extra),
  });
  // Nobody collects EMF locally: the counts go to the debug log.
  const metrics: SweepMetrics = {
    count: (name, dimensions, value) => {
      if (value > 0) logger.debug('sweep metric', { name, ...dimensions, value });
    },
  };
  const serial = new SerialQueue();
  return {
    alerter,
    run: (options = {}) =>
      serial.run(() =>
        sweep(
          {
            sources: [new DiskDeadLetters('batches', deps.queue)],
            store: deps.store,
            stream: deps.stream,
            alerter,
            metrics,
            clock: deps.clock,
            log: {
              info: (message, extra = {}) => logger.info(message, extra),
              warn: (message, extra = {}) => logger.warn(message, extra),
              error: (message, extra = {}) => logger.error(message, extra),
            },
          },
          config,
          options,
        ),
      ),
    idle: () => serial.run(async () => undefined),
    alertNightly: async (summary) => {
      const alert = nightlyAlert(summary);
      if (alert === null) return;
      await new AlertGate(
        { store: deps.store, alerter, clock: deps.clock },
        config.alerts.dedupWindowMs,
      ).send(alert);
    },
  };
}
