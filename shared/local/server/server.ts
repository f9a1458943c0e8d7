/**
 * The local server: one Hono app on 127.0.0.1 standing in for the function URLs. Each request
 * becomes the function URL event its Lambda would receive and goes to the route's handler; the
 * handler's answer is sent back verbatim. Unknown routes are 404 `not_found`.
 *
 * Routes are a table (routes.ts): `POST /v1/events` (ingest) and `POST /v1/admin/flush` are built
 * in; search, aggregate and the other admin operations register theirs through `extraRoutes`.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Context as LambdaContext } from 'aws-lambda';
import { Hono } from 'hono';
import { LIMITS } from '../../domain/limits.js';
import { NotFoundError, PayloadTooLargeError } from '../../errors.js';
import { errorResult } from '../../http/responses.js';
import { lambdaContext } from '../runtime/lambda-context.js';
import type { LocalRuntime } from '../runtime/runtime.js';
import { adminRoute } from './admin-route.js';
import type { ConsoleFiles } from './console-static.js';
import { BodyTooLargeError, toFunctionUrlEvent, toResponse } from './http-event.js';
import { type Route, RouteTable } from './routes.js';

export interface LocalServerOptions {
  runtime: LocalRuntime;
  port: number;
  /** Always 127.0.0.1 unless a test says otherwise. */
  hostname?: string;
  /** Routes added by later parts (search, aggregate, nightly, tenant delete). */
  extraRoutes?: (routes: RouteTable, runtime: LocalRuntime) => void;
  /** Lambda timeout given to each handler's context (default 30 s). */
  handlerTimeoutMs?: number;
  /** The admin console's files, served at `/` (console-static.ts); none when absent. */
  consoleFiles?: ConsoleFiles;
}

export interface LocalServer {
  readonly url: string;
  readonly port: number;
  readonly routes: RouteTable;
  /** Stops accepting requests, finishes the ones in flight, then closes the runtime. */
  close(): Promise<void>;
}

/** The built-in routes of local mode. */
export function defaultRoutes(runtime: LocalRuntime): RouteTable {
  const routes = new RouteTable();
  routes.add({ method: 'POST', path: '/v1/events', functionName: 'ingest', handler: runtime.ingest });
  routes.add({
    method: 'POST',
    path: '/v1/admin/flush',
    functionName: 'admin',
    handler: adminRoute(
      { keys: runtime.keys, clock: runtime.clock, logger: runtime.obs.logger },
      async () => {
        const summary = await runtime.flush();
        return {
          batches: summary.batches,
          events: summary.events,
          objects: summary.objects,
          ...extras(summary),
        };
      },
    ),
  });
  return routes;
}

function extras(summary: { failed: number; deadLetters: number }): Record<string, number> {
  const out: Record<string, number> = {};
  if (summary.failed > 0) out.failed = summary.failed;
  if (summary.deadLetters > 0) out.deadLetters = summary.deadLetters;
  return out;
}

/** The Hono app over a route table (exported for in-process tests: `app.request(...)`). */
export function createApp(
  routes: RouteTable,
  runtime: LocalRuntime,
  handlerTimeoutMs = 30_000,
  consoleFiles?: ConsoleFiles,
): Hono {
  const app = new Hono();
  app.all('*', async (c) => {
    const logger = runtime.obs.logger;
    try {
      const file = await consoleFiles?.(c.req.method, new URL(c.req.url).pathname);
      if (file) return file;
      const declared = Number(c.req.header('content-length') ?? '0');
      if (declared > LIMITS.maxBodyBytes) {
        // The function URL refuses these before the Lambda runs; so does the local edge.
        throw new PayloadTooLargeError(`body is over ${LIMITS.maxBodyBytes} bytes`);
      }
      const match = routes.match(c.req.method, new URL(c.req.url).pathname);
      if (!match) throw new NotFoundError(`no route ${c.req.method} ${new URL(c.req.url).pathname}`);
      const event = await toFunctionUrlEvent(c.req.raw, { maxBodyBytes: LIMITS.maxBodyBytes }).catch(
        (error: unknown) => {
          // A chunked upload declares no length: it is cut off at the limit, never buffered whole.
          if (error instanceof BodyTooLargeError) throw new PayloadTooLargeError(error.message);
          throw error;
        },
      );
      if (
        event.body !== undefined &&
        Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8') > LIMITS.maxBodyBytes
      )
        throw new PayloadTooLargeError(`body is over ${LIMITS.maxBodyBytes} bytes`);
      if (Object.keys(match.pathParameters).length) event.pathParameters = match.pathParameters;
      const context: LambdaContext = lambdaContext(match.route.functionName, handlerTimeoutMs);
      const started = Date.now();
      const result = await match.route.handler(event, context);
      logger.debug(`${event.requestContext.http.method} ${event.rawPath} ${result.statusCode ?? 200}`, {
        ms: Date.now() - started,
      });
      return toResponse(result);
    } catch (error) {
      return toResponse(errorResult(error, logger));
    }
  });
  return app;
}

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const { runtime } = options;
  const routes = defaultRoutes(runtime);
  options.extraRoutes?.(routes, runtime);
  const app = createApp(routes, runtime, options.handlerTimeoutMs, options.consoleFiles);
  const hostname = options.hostname ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve, reject) => {
      const server = serve({ fetch: app.fetch, hostname, port: options.port }, (info: AddressInfo) =>
        resolve({ server, port: info.port }),
      );
      server.once('error', reject);
    },
  );
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostname}:${port}`,
    port,
    routes,
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          if ('closeIdleConnections' in server) server.closeIdleConnections();
        });
        await runtime.close();
      })();
      return closing;
    },
  };
}

export type { Route, RouteTable };
