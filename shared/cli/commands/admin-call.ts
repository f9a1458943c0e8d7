/**
 * An admin operation from the command line: against the running server (`--url`, with an admin
 * token minted from the local key set), or in process over the data directory when no server
 * answers (connection refused). `flush` uses it; `nightly` and `tenant delete` follow the same way:
 *
 *   adminCall(ctx, { url, dataDir, method: 'POST', path: '/v1/admin/nightly', body: { date },
 *                    inProcess: (runtime) => runNightly(runtime, date) })
 */
import { FileKeySetSource } from '../../auth/file-key-set.js';
import { signToken } from '../../auth/tokens.js';
import { DataDirInUseError } from '../../local/runtime/data-dir-lock.js';
import type { LocalRuntime } from '../../local/runtime/runtime.js';
import { type CliContext, CliError } from '../context.js';

export interface AdminCall {
  url: string;
  dataDir: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  /** The same operation without a server; its result is printed like the server's answer. */
  inProcess: (runtime: LocalRuntime) => Promise<unknown>;
  /** Bound on the HTTP call (default 10 min: a flush or nightly run can take a while). */
  timeoutMs?: number;
}

/** Prints the answer (JSON) on stdout and returns it parsed. */
export async function adminCall(ctx: CliContext, call: AdminCall): Promise<unknown> {
  const token = await signToken(await new FileKeySetSource(call.dataDir).load(), {
    tenantId: null,
    scope: 'admin',
    ttlSeconds: 300,
  });
  const target = new URL(call.path, call.url);
  let response: Response;
  try {
    response = await fetch(target, {
      method: call.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      signal: AbortSignal.timeout(call.timeoutMs ?? 600_000),
    });
  } catch (error) {
    if (!isConnectionRefused(error))
      throw new CliError(`${call.method} ${target} failed: ${describe(error)}`);
    ctx.err(`no server at ${call.url}; running in process over ${call.dataDir}`);
    // Loaded only when needed: `oplake token` stays fast and free of the pipeline's modules.
    const { createLocalRuntime } = await import('../../local/runtime/runtime.js');
    let runtime: LocalRuntime;
    try {
      runtime = await createLocalRuntime({ dataDir: call.dataDir, background: false, logLevel: 'WARN' });
    } catch (startError) {
      if (startError instanceof DataDirInUseError)
        throw new CliError(`${startError.message}; pass that server's --url`);
      throw startError;
    }
    try {
      const result = await call.inProcess(runtime);
      ctx.out(JSON.stringify(result));
      return result;
    } finally {
      await runtime.close();
    }
  }
  const text = await response.text();
  if (!response.ok) {
    const hint =
      response.status === 401
        ? ` (is the server using the data directory ${call.dataDir}? pass --data-dir)`
        : '';
    throw new CliError(`${call.method} ${target} answered ${response.status}: ${text.trim()}${hint}`);
  }
  ctx.out(text.trim());
  return text.trim() === '' ? null : (JSON.parse(text) as unknown);
}

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Walks `cause` (and AggregateError's `errors`) without instanceof, which fails across realms. */
function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  for (
    let e: unknown = error;
    typeof e === 'object' && e !== null && out.length < 10;
    e = (e as ErrorLike).cause
  )
    out.push(e as ErrorLike);
  return out;
}

/** True when nothing listens at the address (the cause chain holds ECONNREFUSED). */
export function isConnectionRefused(error: unknown): boolean {
  return chain(error).some(
    (e) => e.code === 'ECONNREFUSED' || (Array.isArray(e.errors) && e.errors.some(isConnectionRefused)),
  );
}

function describe(error: unknown): string {
  const parts = chain(error)
    .map((e) => (typeof e.message === 'string' ? e.message : ''))
    .filter(Boolean);
  return parts.join(': ') || String(error);
}
