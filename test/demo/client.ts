/**
 * The demo's HTTP side: the dev server as a child process (what `make dev` runs), tokens from
 * its key set, and posting with the retries a real agent makes (429/503: wait Retry-After).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { FileKeySetSource } from '../../shared/auth/file-key-set.js';
import { type Scope, signToken } from '../../shared/auth/tokens.js';

export interface DemoServer {
  url: string;
  child: ChildProcess;
  token(scope: Scope, tenantId: string | null, sub?: string): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startDemoServer(dataDir: string): Promise<DemoServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'shared/local/server/main.ts'], {
    env: {
      ...process.env,
      OPLAKE_PORT: String(port),
      OPLAKE_DATA_DIR: dataDir,
      OPLAKE_LOG_LEVEL: 'WARN',
      // Short buffers, so "time to searchable" is local mode's own, not a 60 s buffer's.
      OPLAKE_FLUSH_INTERVAL_MS: '500',
      OPLAKE_BUFFER_AGE_MS: '1000',
      OPLAKE_INGEST_RATE_LIMITS: JSON.stringify({
        default: { eventsPerSecond: 50_000, bytesPerSecond: 64 * 1024 * 1024 },
      }),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Until it answers, the server's log is kept (the readiness probe's 404 is noise); then shown.
  let startupLog = '';
  let ready = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    if (ready) process.stderr.write(chunk);
    else startupLog += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null)
      throw new Error(`the dev server exited with ${child.exitCode}:\n${startupLog}`);
    try {
      await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) });
      ready = true;
      break;
    } catch (error) {
      if (i > 300)
        throw new Error(`the dev server did not answer within 30 s:\n${startupLog}`, { cause: error });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const keys = new FileKeySetSource(dataDir);
  return {
    url,
    child,
    token: async (scope, tenantId, sub) =>
      signToken(await keys.load(), { tenantId, scope, ttlSeconds: 3600, ...(sub ? { sub } : {}) }),
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export interface Answer {
  status: number;
  body: unknown;
  ms: number;
}

/** One request; 429 and 503 are waited out (Retry-After) and retried, as agents do. */
export async function call(
  url: string,
  init: { method: string; token: string; body?: string | Buffer; headers?: Record<string, string> },
): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const res = await fetch(url, {
      method: init.method,
      headers: {
        authorization: `Bearer ${init.token}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    if ((res.status === 429 || res.status === 503) && attempt < 20) {
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
      continue;
    }
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown), ms };
  }
}

/** Runs `work` over `items` with `concurrency` workers. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}
