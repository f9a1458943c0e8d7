/** A few attempts with exponential backoff, for the sweeper's own calls (a blip must not page anyone). */
export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({ attempts: 3, baseMs: 200 });

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wait before attempt `attempt` (1 = the first retry). */
export function pause(policy: RetryPolicy, attempt: number): Promise<void> {
  return (policy.sleep ?? realSleep)(policy.baseMs * 2 ** (attempt - 1));
}

export async function withRetry<T>(policy: RetryPolicy, work: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < Math.max(1, policy.attempts); attempt++) {
    if (attempt > 0) await pause(policy, attempt);
    try {
      return await work();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
