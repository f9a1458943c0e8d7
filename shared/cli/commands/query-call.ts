/**
 * Runs a search API call from the CLI: against --url with the search token, or, when nothing
 * answers at that address, against an in-process local server over the data directory (the same
 * routes and handlers as `make dev`, on a free port, closed afterwards). API errors become one
 * line on stderr and exit code 1; a query past the wait budget shows its progress on stderr.
 * Ctrl-C (SIGINT) while a query runs cancels it on the server (DELETE /v1/search/{queryId}, sent
 * by the client when its wait is aborted) and exits 130, the shell's code for an interrupt.
 */
import { ApiClient, ApiRequestError, CancelledError, type RunOptions } from '../../client/api-client.js';
import { DataDirInUseError } from '../../local/runtime/data-dir-lock.js';
import { type CliContext, CliError } from '../context.js';
import { isConnectionRefused } from './admin-call.js';
import type { QueryOptions } from './query-options.js';

export async function withClient(
  ctx: CliContext,
  options: Pick<QueryOptions, 'url' | 'token' | 'dataDir'>,
  work: (client: ApiClient, run: RunOptions) => Promise<void>,
): Promise<void> {
  const controller = new AbortController();
  const onInterrupt = () => {
    // A second Ctrl-C does not wait for the cancel to be sent.
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    await withServer(ctx, options, (client) =>
      work(client, { onProgress: progress(ctx), signal: controller.signal }),
    );
  } catch (error) {
    if (error instanceof CancelledError)
      throw new CliError('interrupted; the running query was cancelled on the server', 130);
    throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

async function withServer(
  ctx: CliContext,
  options: Pick<QueryOptions, 'url' | 'token' | 'dataDir'>,
  work: (client: ApiClient) => Promise<void>,
): Promise<void> {
  const token = options.token ?? ctx.searchToken;
  if (token === undefined || token.trim() === '')
    throw new CliError(
      'a search token is needed: --token or OPLAKE_TOKEN (oplake token --tenant T --scope search)',
    );
  const client = (baseUrl: string) => new ApiClient({ baseUrl, token: token.trim(), pollIntervalMs: 1000 });
  try {
    await work(client(options.url));
    return;
  } catch (error) {
    if (!(error instanceof ApiRequestError && error.code === 'network' && isConnectionRefused(error.cause)))
      throw explain(error);
  }
  ctx.err(`no server at ${options.url}; running in process over ${options.dataDir}`);
  // Loaded only when needed, like adminCall's fallback.
  const { createLocalRuntime } = await import('../../local/runtime/runtime.js');
  const { startLocalServer } = await import('../../local/server/server.js');
  const { applyRoutePlugins } = await import('../../local/server/route-plugins.js');
  let runtime: Awaited<ReturnType<typeof createLocalRuntime>>;
  try {
    runtime = await createLocalRuntime({ dataDir: options.dataDir, background: false, logLevel: 'WARN' });
  } catch (error) {
    if (error instanceof DataDirInUseError) throw new CliError(`${error.message}; pass that server's --url`);
    throw error;
  }
  const server = await startLocalServer({
    runtime,
    port: 0,
    extraRoutes: applyRoutePlugins(ctx.config),
  }).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  try {
    await work(client(server.url));
  } catch (error) {
    throw explain(error);
  } finally {
    await server.close();
  }
}

/** An API error as the one line the CLI prints. */
function explain(error: unknown): unknown {
  if (!(error instanceof ApiRequestError)) return error;
  const hints: Record<string, string> = {
    scan_limit_exceeded: ' (narrow the range with --since/--from/--to, or add --type or a filter)',
    unauthorized: ' (the token is expired or not from this deployment: oplake token --scope search)',
    forbidden: ' (use a search token: oplake token --tenant T --scope search)',
    too_many_queries: error.retryAfter ? ` (retry after ${error.retryAfter} s)` : '',
  };
  const details = error.details
    .map((d) => (d.field ? `${d.field}: ${d.message ?? ''}` : (d.message ?? '')))
    .filter(Boolean);
  const status = error.status === 0 ? '' : `${error.status} `;
  return new CliError(
    `${status}${error.code}: ${error.message}${details.length ? ` [${details.join('; ')}]` : ''}${hints[error.code] ?? ''}`,
  );
}

/** Progress of a query past the wait budget, on stderr. */
export function progress(ctx: CliContext): (p: { queryId: string; elapsedMs: number }) => void {
  return (p) => ctx.err(`query ${p.queryId} running (${Math.round(p.elapsedMs / 1000)} s)...`);
}
