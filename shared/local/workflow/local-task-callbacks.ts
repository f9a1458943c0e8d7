/**
 * TaskCallbacks of local mode: tokens are issued in-process and settled by the same calls
 * ctas-runner makes on AWS (SendTaskSuccess/Failure/Heartbeat).
 */
import { randomUUID } from 'node:crypto';
import { type TaskCallbacks, TaskTokenGoneError } from '../../conversion/task-callbacks.js';

/** What a failed task rejects with: `name` is the error Retry/Catch match, `message` the cause. */
export class LocalTaskError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

interface Waiter {
  resolve(output: unknown): void;
  reject(error: Error): void;
}

export class LocalTaskCallbacks implements TaskCallbacks {
  private readonly waiting = new Map<string, Waiter>();
  heartbeats = 0;

  /** A fresh token and the promise that settles when a worker answers it. */
  issue(): { token: string; settled: Promise<unknown> } {
    const token = `local-${randomUUID()}`;
    const settled = new Promise<unknown>((resolve, reject) => this.waiting.set(token, { resolve, reject }));
    return { token, settled };
  }

  private take(token: string): Waiter {
    const waiter = this.waiting.get(token);
    if (!waiter) throw new TaskTokenGoneError(`task token not waited for: ${token}`);
    this.waiting.delete(token);
    return waiter;
  }

  async success(token: string, output: unknown): Promise<void> {
    this.take(token).resolve(JSON.parse(JSON.stringify(output ?? null)));
  }

  async failure(token: string, error: string, cause: string): Promise<void> {
    this.take(token).reject(new LocalTaskError(error, cause));
  }

  async heartbeat(token: string): Promise<void> {
    if (!this.waiting.has(token)) throw new TaskTokenGoneError(`task token not waited for: ${token}`);
    this.heartbeats++;
  }
}
