/**
 * The local server as the security suites see it: a runtime over a fresh data directory, every
 * route local mode serves (built-ins plus every plugin of route-plugins.ts, so routes added later
 * are covered), the Hono app answering in process, and tokens of any tenant and scope.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { signToken } from '../../shared/auth/tokens.js';
import { createLocalRuntime, type LocalRuntime } from '../../shared/local/runtime/runtime.js';
import { applyRoutePlugins } from '../../shared/local/server/route-plugins.js';
import type { RouteTable } from '../../shared/local/server/routes.js';
import { createApp, defaultRoutes } from '../../shared/local/server/server.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface RequestOptions {
  token?: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface SecurityKit {
  dataDir: string;
  runtime: LocalRuntime;
  routes: RouteTable;
  app: Hono;
  token(tenantId: string | null, scope: 'ingest' | 'search' | 'admin', sub?: string): Promise<string>;
  request(method: string, path: string, options?: RequestOptions): Promise<Answer>;
  close(): Promise<void>;
}

export async function securityKit(options: { waitBudgetMs?: number } = {}): Promise<SecurityKit> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oplake-security-'));
  const runtime = await createLocalRuntime({
    dataDir,
    background: false,
    logLevel: 'SILENT',
    rateLimits: { default: { eventsPerSecond: 1e9, bytesPerSecond: 1e12 } },
  });
  const routes = defaultRoutes(runtime);
  applyRoutePlugins({
    search: {
      waitBudgetMs: options.waitBudgetMs ?? 30_000,
      scanCutoffBytes: 1024 ** 3,
      maxConcurrentQueries: 3,
    },
  })(routes, runtime);
  const app = createApp(routes, runtime);
  const keys = await runtime.keys.load();
  return {
    dataDir,
    runtime,
    routes,
    app,
    token: (tenantId, scope, sub) =>
      signToken(keys, { tenantId, scope, ttlSeconds: 3600, ...(sub === undefined ? {} : { sub }) }),
    request: async (method, path, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const res = await app.request(`http://127.0.0.1${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: options.body }),
      });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = text === '' ? null : JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    close: async () => {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The error code of a contract error body, or null. */
export function errorCode(json: unknown): string | null {
  if (json && typeof json === 'object' && 'error' in json) {
    const error = (json as { error: unknown }).error;
    if (error && typeof error === 'object' && 'code' in error)
      return String((error as { code: unknown }).code);
  }
  return null;
}

/** The contract's error codes by status (CONTRACT.md "Errors"). */
export const CONTRACT_ERRORS: Readonly<Record<number, readonly string[]>> = {
  400: ['invalid_request'],
  401: ['unauthorized'],
  403: ['forbidden'],
  404: ['not_found'],
  409: ['idempotency_conflict'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
  422: ['no_valid_events', 'scan_limit_exceeded'],
  429: ['rate_limited', 'too_many_queries'],
};
