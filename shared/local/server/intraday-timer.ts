/**
 * The dev server's intraday conversion (docs/nightly.md "Intraday runs"): every `intervalMs` the
 * nightly workflow runs in `intraday` mode, so today's and yesterday's data leave raw/ within the
 * hour. A tick while a run (nightly, intraday or a tenant deletion) is under way is skipped, never
 * queued: runs never overlap. `stop()` clears the timer and waits for the run in progress.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { LocalRuntime } from '../runtime/runtime.js';
import { runLocalNightlyIfIdle } from './nightly-routes.js';

export interface IntradayTimerSettings {
  /** 0: never. */
  intervalMs: number;
  minRawBytes: number;
}

export interface IntradayTimer {
  /** One tick now (what the timer does): the run's summary, or null when skipped. */
  tick(): Promise<unknown>;
  stop(): Promise<void>;
}

export function startIntradayTimer(
  runtime: LocalRuntime,
  settings: IntradayTimerSettings,
  log: Pick<Logger, 'info' | 'error'> = runtime.obs.logger,
): IntradayTimer {
  let current: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    if (stopped) return Promise.resolve(null);
    const run = runLocalNightlyIfIdle(
      runtime,
      { mode: 'intraday' },
      { intradayMinRawBytes: settings.minRawBytes },
    ).then(
      (summary) => {
        if (summary === null) log.info('intraday conversion skipped: another run is under way');
        else if (summary.targets > 0 || summary.failed > 0)
          log.info('intraday conversion done', {
            targets: summary.targets,
            succeeded: summary.succeeded,
            failed: summary.failed,
          });
        return summary;
      },
      (error: unknown) => {
        log.error('intraday conversion failed', { error });
        return null;
      },
    );
    current = run;
    return run;
  };
  const timer = settings.intervalMs > 0 ? setInterval(tick, settings.intervalMs) : undefined;
  timer?.unref();
  return {
    tick,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await current;
    },
  };
}
