/** A few attempts with exponential backoff, for the sweeper's own calls (a blip must not page anyone). */
export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({ attempts: 3, baseMs: 200 });

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(policy: RetryPolicy, work: () => Promise<T>): Promise<T> {
  const sleep = policy.sleep ?? realSleep;
  let lastError: unknown;
  for (let attempt = 0; attempt < Math.max(1, policy.attempts); attempt++) {
    if (attempt > 0) await sleep(policy.baseMs * 2 ** (attempt - 1));
    try {
      return await work();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
