/**
 * Runs local mode until a signal: runtime + server from a LocalConfig, clean close on SIGINT /
 * SIGTERM (stream buffers are written to the lake before exit). Used by `make dev` (main.ts)
 * and `oplake serve`.
 */
import { join } from 'node:path';
import type { LocalConfig } from '../runtime/config.js';
import { createLocalRuntime } from '../runtime/runtime.js';
import { consoleFiles } from './console-static.js';
import { startIntradayTimer } from './intraday-timer.js';
import { applyRoutePlugins } from './route-plugins.js';
import { type LocalServer, type LocalServerOptions, startLocalServer } from './server.js';

export interface ServeOptions {
  /** Default: the plugins listed in route-plugins.ts. */
  extraRoutes?: LocalServerOptions['extraRoutes'];
  /** Called with the exit code once closed (default: process.exit). */
  exit?: (code: number) => void;
}

export async function serveUntilSignal(
  config: Readonly<LocalConfig>,
  options: ServeOptions = {},
): Promise<LocalServer> {
  const runtime = await createLocalRuntime({
    dataDir: config.dataDir,
    logLevel: config.logLevel,
    streamFlushIntervalMs: config.streamFlushIntervalMs,
    streamBufferAgeMs: config.streamBufferAgeMs,
    streamBufferBytes: config.streamBufferBytes,
    rateLimits: config.rateLimits,
    sweepIntervalMs: config.sweepIntervalMs,
    sweepConfig: config.sweep,
    // Split, stream flushes and sweeps on a thread of their own: requests never wait behind them.
    backgroundThread: true,
  });
  let server: LocalServer;
  try {
    // The admin console, built from console/src at each start (esbuild, well under a second);
    // loaded here so that other CLI commands never load esbuild.
    const consoleDir = join(config.dataDir, 'console');
    const { buildConsole } = await import('../../../console/build.mjs');
    await buildConsole(consoleDir);
    server = await startLocalServer({
      runtime,
      port: config.port,
      extraRoutes: options.extraRoutes ?? applyRoutePlugins(config),
      consoleFiles: await consoleFiles(consoleDir),
    });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const log = runtime.obs.logger;
  log.info(`oplake local mode listening on ${server.url} (data in ${config.dataDir})`);
  log.info(`admin console: ${server.url}/ (sign in with npx oplake token --tenant acme-corp --scope search)`);
  log.info(
    `routes: ${server.routes
      .list()
      .map((r) => `${r.method} ${r.path}`)
      .join(', ')}`,
  );
  log.info(
    `tokens: npx oplake token --tenant acme-corp --scope ingest --data-dir ${config.dataDir}` +
      `  (admin: npx oplake token --scope admin --data-dir ${config.dataDir})`,
  );
  log.info(`make queued events searchable now: npx oplake flush --url ${server.url}`);
  // Today's and yesterday's data leave raw/ every hour (docs/nightly.md "Intraday runs").
  const intraday = startIntradayTimer(runtime, config.intraday);
  if (config.intraday.intervalMs > 0)
    log.info(`intraday conversion every ${Math.round(config.intraday.intervalMs / 1000)} s`);
  const closeServer = server.close;
  server = {
    ...server,
    close: async () => {
      await intraday.stop();
      await closeServer();
    },
  };

  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: closing (writing stream buffers to the lake)`);
    server.close().then(
      () => exit(0),
      (error: unknown) => {
        log.error('close failed', { error });
        exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return server;
}
