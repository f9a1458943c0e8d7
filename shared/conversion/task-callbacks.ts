/**
 * How a worker answers a `.waitForTaskToken` task: Step Functions' SendTask* calls on AWS, an
 * in-process settlement in local mode.
 */
export interface TaskCallbacks {
  success(token: string, output: unknown): Promise<void>;
  /** `error` is what Retry/Catch match on (at most 256 characters); `cause` a readable reason. */
  failure(token: string, error: string, cause: string): Promise<void>;
  heartbeat(token: string): Promise<void>;
}

/** The token is no longer waited for (timed out, already settled, execution over): nothing to answer. */
export class TaskTokenGoneError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TaskTokenGoneError';
  }
}
