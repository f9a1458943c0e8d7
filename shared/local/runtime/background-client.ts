/**
 * The request thread's side of local mode's background thread: starts background-thread.ts in a
 * worker thread and forwards the runtime's calls to it, so split passes, stream flushes and
 * sweeps never hold up an ingest request on the server's event loop.
 *
 * Durability is the disk queue's: ingest answers 202 once the batch is fsynced in `ready/`, and the
 * thread takes it from there. If the thread dies (an uncaught error, or it is killed), the calls
 * waiting on it fail with 503 `unavailable` (retrying is safe) and a new thread starts after a
 * short pause: its queue puts back in `ready/` what the dead one had received and not acknowledged
 * (split again: at least once, and the conversion's dedup keeps one copy), and its stream delivers
 * the buffers the dead one left. `close` lets the thread finish: split stops between passes, the
 * stream buffers and usage are written, then the thread exits.
 */
import { Worker } from 'node:worker_threads';
import { UnavailableError } from '../../errors.js';
import type { Observability } from '../../observability/index.js';
import type { Background, BackgroundSettings } from './background.js';
import type { BackgroundOp, BackgroundOps, BackgroundReply } from './background-protocol.js';

export interface BackgroundThread extends Background {
  /** How many times the thread was started again after it died. */
  readonly restarts: number;
  /** Ends the current thread at once, as a crash would (for tests of the restart). */
  kill(): Promise<void>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** The thread's entry: the TypeScript source under tsx (dev server, tests), or a built .js beside it. */
function entry(): { url: URL; execArgv: string[] } {
  // The path, not the URL: tsx's tsImport (the `oplake` bin) adds a query to module URLs.
  const source = new URL(import.meta.url).pathname.endsWith('.ts');
  const url = new URL(`./background-thread.${source ? 'ts' : 'js'}`, import.meta.url);
  const hasTsx = process.execArgv.some((arg) => arg.includes('tsx'));
  if (!source || hasTsx) return { url, execArgv: process.execArgv };
  // Started without tsx on the command line (the `oplake` bin's tsImport, jest): the thread loads
  // tsx itself, by its resolved path, so the working directory does not matter.
  const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx') : 'tsx';
  return { url, execArgv: [...process.execArgv, '--import', tsx] };
}

export async function startBackgroundThread(
  settings: BackgroundSettings,
  logger: Pick<Observability['logger'], 'error' | 'warn'>,
  restartDelayMs = 1000,
): Promise<BackgroundThread> {
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let closing = false;
  let restarts = 0;

  const spawn = (workerSettings: BackgroundSettings): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const { url, execArgv } = entry();
      const worker = new Worker(url, { workerData: workerSettings, execArgv });
      let ready = false;
      worker.on('message', (reply: BackgroundReply) => {
        if ('ready' in reply) {
          ready = true;
          resolve(worker);
          return;
        }
        const waiting = pending.get(reply.id);
        if (!waiting) return;
        pending.delete(reply.id);
        if (reply.ok) waiting.resolve(reply.value);
        else waiting.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
      });
      worker.on('error', (error) => {
        if (!ready) reject(error);
        else logger.error('the background thread failed', { error });
      });
      worker.on('exit', (code) => {
        if (!ready) {
          reject(new Error(`the background thread exited with code ${code} before it was ready`));
          return;
        }
        for (const [id, waiting] of pending) {
          pending.delete(id);
          waiting.reject(
            new UnavailableError(`the background thread stopped (exit code ${code}); retrying is safe`, {
              retryAfterSeconds: 2,
            }),
          );
        }
        if (!closing) restart();
      });
    });

  // The first start sweeps nothing of the queue's tmp/: the runtime did, before it took requests.
  const threadSettings: BackgroundSettings = { ...settings, sweepQueueTmp: false };
  let current: Promise<Worker> = spawn(threadSettings);
  await current;

  function restart(): void {
    restarts++;
    logger.warn('the background thread stopped; starting a new one', { restarts });
    const attempt = (delayMs: number): Promise<Worker> =>
      new Promise<void>((resolve) => setTimeout(resolve, delayMs))
        .then(() => spawn(threadSettings))
        .catch((error: unknown) => {
          logger.error('the background thread could not start; trying again', { error });
          return attempt(Math.min(30_000, delayMs * 2));
        });
    current = attempt(restartDelayMs);
  }

  async function call<K extends BackgroundOp>(
    op: K,
    arg: BackgroundOps[K]['arg'],
  ): Promise<BackgroundOps[K]['value']> {
    const worker = await current;
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      // The reply was checked by the thread's own types (background-thread.ts answers op with its value).
      pending.set(id, { resolve: (value) => resolve(value as BackgroundOps[K]['value']), reject });
      worker.postMessage({ id, op, arg });
    });
  }

  return {
    get restarts() {
      return restarts;
    },
    splitOnce: (max) => call('splitOnce', max),
    flush: () => call('flush', undefined),
    sweep: (options = {}) => call('sweep', options),
    alertNightly: (summary) => call('alertNightly', summary),
    kill: async () => {
      const worker = await current;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await worker.terminate();
      await exited;
    },
    close: async () => {
      if (closing) return;
      const worker = await current;
      closing = true;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await call('close', undefined);
      await exited;
    },
  };
}
