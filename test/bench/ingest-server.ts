/**
 * The server of the ingest benchmark, in its own process (so the load generator does not share
 * its event loop): local mode as `make dev` runs it (split worker and stream flushes in the
 * background), plus `POST /bench/empty`, a handler that answers 202 at once, behind the same
 * HTTP server and function URL event conversion. Prints one JSON line {url, token, admin}; stops on SIGTERM.
 *
 *   tsx test/bench/ingest-server.ts DATA_DIR
 */
import { signToken } from '../../shared/auth/tokens.js';
import { createLocalRuntime } from '../../shared/local/runtime/runtime.js';
import { startLocalServer } from '../../shared/local/server/server.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: ingest-server.ts DATA_DIR');
const unlimited = { eventsPerSecond: 1e9, bytesPerSecond: 1e12 };
const runtime = await createLocalRuntime({
  dataDir,
  logLevel: 'SILENT',
  rateLimits: { default: unlimited },
  streamFlushIntervalMs: 5000,
  backgroundThread: true,
});
const server = await startLocalServer({
  runtime,
  port: 0,
  extraRoutes: (routes) =>
    routes.add({
      method: 'POST',
      path: '/bench/empty',
      functionName: 'empty',
      handler: async () => ({ statusCode: 202, headers: { 'content-type': 'application/json' }, body: '{}' }),
    }),
});
const token = await signToken(await runtime.keys.load(), {
  tenantId: 'bench-corp',
  scope: 'ingest',
  sub: 'pc-001',
  ttlSeconds: 3600,
});
const admin = await signToken(await runtime.keys.load(), {
  tenantId: null,
  scope: 'admin',
  ttlSeconds: 3600,
});
console.log(JSON.stringify({ url: server.url, token, admin }));
process.once('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
