/**
 * Test kit for the ingest handler: in-memory queue and key set, real file store and file
 * idempotency store in a temporary folder, a fixed clock, function URL events and a Context.
 * Used by this folder's tests only.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { FileIdempotencyStore } from '../../shared/adapters/local/file-idempotency-store.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { type KeySet, newKeySet, type Scope, signToken } from '../../shared/auth/tokens.js';
import { type RateLimitConfig, RateLimiter } from '../../shared/ingest/rate-limiter.js';
import { functionUrlEvent } from '../../shared/local/server/http-event.js';
import { createObservability } from '../../shared/observability/index.js';
import type { OutgoingMessage } from '../../shared/ports/queue.js';
import { createIngestHandler } from './create-handler.js';
import { DEFAULT_INGEST_CONFIG, type IngestConfig } from './ingest.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

export const NOW = new Date('2026-11-24T01:00:00.000Z');
export const TENANT = 'acme-corp';

/** A queue that records messages; `failNext` makes the next sends fail, `hold` makes them wait. */
export class MemoryQueue {
  readonly sent: OutgoingMessage[] = [];
  failNext = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async send(message: OutgoingMessage): Promise<void> {
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('queue is down');
    }
    this.sent.push(message);
  }
}

export interface Kit {
  dir: string;
  keySet: KeySet;
  queue: MemoryQueue;
  store: FileObjectStore;
  puts: string[];
  idempotency: BasePersistenceLayer;
  handle: (event: APIGatewayProxyEventV2) => Promise<Answer>;
  token: (options?: {
    scope?: Scope;
    sub?: string;
    ttlSeconds?: number;
    tenantId?: string;
  }) => Promise<string>;
  cleanup: () => Promise<void>;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: Record<string, unknown>;
}

export async function makeKit(
  options: {
    config?: Partial<IngestConfig>;
    limits?: RateLimitConfig;
    idempotency?: BasePersistenceLayer;
  } = {},
): Promise<Kit> {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-ingest-'));
  const keySet = newKeySet('k1');
  const queue = new MemoryQueue();
  const store = new FileObjectStore(join(dir, 'lake'));
  const puts: string[] = [];
  const put = store.put.bind(store);
  store.put = async (key: string, body: Uint8Array | string) => {
    puts.push(key);
    await put(key, body);
  };
  const idempotency = options.idempotency ?? new FileIdempotencyStore(join(dir, 'idempotency'));
  const handler = createIngestHandler({
    keys: { load: async () => keySet },
    queue,
    store,
    idempotency,
    limiter: new RateLimiter({
      limits: options.limits ?? { default: { eventsPerSecond: 1e6, bytesPerSecond: 1e9 } },
      now: () => NOW.getTime(),
    }),
    clock: { now: () => NOW },
    obs: createObservability('ingest', { local: true, logLevel: 'SILENT' }),
    config: { ...DEFAULT_INGEST_CONFIG, ...options.config },
  });
  return {
    dir,
    keySet,
    queue,
    store,
    puts,
    idempotency,
    handle: async (event) => toAnswer(await handler(event, lambdaContext())),
    token: (t = {}) =>
      signToken(
        keySet,
        {
          tenantId: t.scope === 'admin' ? null : (t.tenantId ?? TENANT),
          scope: t.scope ?? 'ingest',
          ...(t.sub === undefined ? {} : { sub: t.sub }),
          ttlSeconds: t.ttlSeconds ?? 3600,
        },
        NOW,
      ),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

function toAnswer(result: APIGatewayProxyStructuredResultV2): Answer {
  const body = typeof result.body === 'string' ? result.body : '';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
  return {
    status: result.statusCode ?? 0,
    headers,
    body,
    json: body === '' ? {} : (JSON.parse(body) as Record<string, unknown>),
  };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'oplake-ingest',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:oplake-ingest',
    memoryLimitInMB: '512',
    awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
    logGroupName: '/aws/lambda/oplake-ingest',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface RequestOptions {
  token?: string | null;
  authorization?: string;
  method?: string;
  path?: string;
  contentType?: string | null;
  contentEncoding?: string;
  gzip?: boolean;
  headers?: Record<string, string>;
}

/** A function URL event (payload v2), body base64 when binary (gzip) as Lambda sends it. */
export function urlEvent(body: string | Buffer, options: RequestOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/v1/events';
  const headers: Record<string, string> = { ...options.headers };
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  else if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload = typeof body === 'string' ? Buffer.from(body) : body;
  if (options.gzip) {
    payload = gzipSync(payload);
    headers['content-encoding'] = 'gzip';
  }
  if (options.contentEncoding !== undefined) headers['content-encoding'] = options.contentEncoding;
  const binary = options.gzip === true || typeof body !== 'string';
  return functionUrlEvent({ method, path, headers, now: NOW, body: payload, base64: binary });
}

export function appEvent(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'app',
    ts: `2026-11-24T09:15:${String(n % 60).padStart(2, '0')}.123+09:00`,
    user: 'yamada',
    app: 'excel.exe',
    title: `budget-${n}.xlsx`,
    ...extra,
  };
}

export function jsonBatch(batchId: string, events: unknown[], deviceId?: string): string {
  return JSON.stringify({ batchId, ...(deviceId === undefined ? {} : { deviceId }), events });
}
