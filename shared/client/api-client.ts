/**
 * A client of the search API (POST /v1/search, GET and DELETE /v1/search/{queryId}, POST
 * /v1/aggregate) for the console (in the browser) and `oplake search|aggregate` (in Node): only
 * `fetch`, no DOM. A 202 answer is polled until the query ends (`onProgress` tells how long it
 * has run); a caller's AbortSignal stops the waiting and cancels the query on the server
 * (DELETE). Every non-2xx answer becomes an ApiRequestError with the contract's code.
 */
import {
  type AggregateAnswer,
  type AggregateRequest,
  type CancelAnswer,
  ERROR_CODES,
  type ErrorCode,
  type ErrorDetail,
  type Running,
  type SearchAnswer,
  type SearchRequest,
} from './api-types.js';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    /** The contract's code; `network` when no answer came, `unexpected` for a body off the contract. */
    readonly code: ErrorCode | 'network' | 'unexpected',
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Seconds, from Retry-After (429, 503). */
    readonly retryAfter: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiRequestError';
  }
}

/** The wait was stopped by the caller's AbortSignal. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export interface ApiClientOptions {
  /** Base URL of the search function (`''` in the browser: the page's own origin). */
  baseUrl: string;
  token: string;
  /** Delay between polls of a running query (default 1,000 ms). */
  pollIntervalMs?: number;
  fetch?: typeof fetch;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Called while a query runs past the wait budget (202), with the ms since it started. */
  onProgress?: (progress: { queryId: string; elapsedMs: number }) => void;
}

export class ApiClient {
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
  }

  search(request: SearchRequest, run: RunOptions = {}): Promise<SearchAnswer> {
    return this.untilDone<SearchAnswer>('POST', '/v1/search', request, run);
  }

  aggregate(request: AggregateRequest, run: RunOptions = {}): Promise<AggregateAnswer> {
    return this.untilDone<AggregateAnswer>('POST', '/v1/aggregate', request, run);
  }

  /** Every page of a search, following nextCursor until it is null. */
  async *pages(request: SearchRequest, run: RunOptions = {}): AsyncGenerator<SearchAnswer> {
    let cursor: string | null = request.cursor ?? null;
    do {
      const page = await this.search({ ...request, cursor }, run);
      yield page;
      cursor = page.nextCursor;
    } while (cursor !== null);
  }

  private async untilDone<T>(method: 'POST', path: string, body: unknown, run: RunOptions): Promise<T> {
    const started = Date.now();
    let answer = await this.call<T | Running>(method, path, body, run.signal);
    while (isRunning(answer)) {
      const { queryId } = answer;
      run.onProgress?.({ queryId, elapsedMs: Date.now() - started });
      try {
        await sleep(this.options.pollIntervalMs ?? 1000, run.signal);
        answer = await this.call<T | Running>('GET', queryPath(queryId), undefined, run.signal);
      } catch (error) {
        if (error instanceof CancelledError) await this.cancel(queryId).catch(() => undefined);
        throw error;
      }
    }
    return answer;
  }

  /**
   * DELETE /v1/search/{queryId}: stops a running query and frees the tenant's slot at once. The
   * answer tells how it ended (`cancelled`, or `succeeded` / `failed` when it had already ended).
   * A cancelled wait calls it by itself (best effort: a failed DELETE only leaves the query to
   * end or to time out on the server).
   */
  cancel(queryId: string): Promise<CancelAnswer> {
    return this.call<CancelAnswer>('DELETE', queryPath(queryId), undefined);
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    if (signal?.aborted) throw new CancelledError();
    let response: Response;
    try {
      response = await this.fetcher(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw new CancelledError();
      throw new ApiRequestError(
        0,
        'network',
        `no answer from ${this.options.baseUrl || 'the server'}: ${String(error)}`,
        [],
        null,
        { cause: error },
      );
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) {
      if (parsed === undefined)
        throw new ApiRequestError(response.status, 'unexpected', 'the answer is not JSON');
      return parsed as T;
    }
    throw toError(response, parsed, text);
  }
}

function toError(response: Response, parsed: unknown, text: string): ApiRequestError {
  const retry = Number(response.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
  const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
    ?.error;
  const code =
    typeof error?.code === 'string' && (ERROR_CODES as readonly string[]).includes(error.code)
      ? (error.code as ErrorCode)
      : 'unexpected';
  const message = typeof error?.message === 'string' ? error.message : text.slice(0, 200);
  const details = Array.isArray(error?.details) ? (error.details as ErrorDetail[]) : [];
  return new ApiRequestError(response.status, code, message, details, retryAfter);
}

function queryPath(queryId: string): string {
  return `/v1/search/${encodeURIComponent(queryId)}`;
}

function isRunning(answer: unknown): answer is Running {
  return (
    typeof answer === 'object' &&
    answer !== null &&
    (answer as { status?: unknown }).status === 'running' &&
    typeof (answer as { queryId?: unknown }).queryId === 'string'
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
