/**
 * Simulated PC agents for the soak: each sends batches of events for its device, as a real agent
 * would: a 202 is the only acknowledgement; 429 and 503 are retried after their Retry-After;
 * a connection error (the server is down) is retried after a short pause; the same batch (same
 * batchId) is resent until it is acknowledged, so the server's idempotency is what keeps a resend
 * from doubling it. Anything else (a 5xx other than 503, a 503 without Retry-After, an
 * unexpected 4xx) is counted as a violation, and the batch is resent.
 */
export interface AgentStats {
  requests: number;
  acknowledged: number;
  /** Answers by status (0 = no answer: connection refused or reset). */
  statuses: Record<string, number>;
  violations: string[];
  retryAfterWaitedMs: number;
}

export interface AgentOptions {
  url: () => string;
  tenantId: string;
  deviceId: string;
  token: string;
  /** Resolves when the agent should stop after its current batch is acknowledged. */
  stopping: () => boolean;
  /** Events of the batches this agent got a 202 for, as `tenant/device/eventId`. */
  acked: Set<string>;
  stats: AgentStats;
  random: () => number;
  /** Days the events fall on (UTC dates). */
  days: readonly string[];
}

export function newStats(): AgentStats {
  return { requests: 0, acknowledged: 0, statuses: {}, violations: [], retryAfterWaitedMs: 0 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runAgent(options: AgentOptions): Promise<void> {
  const { stats } = options;
  for (let n = 0; !options.stopping(); n++) {
    const batchId = `${options.deviceId}-b${n}`;
    const size = 1 + Math.floor(options.random() * 150);
    const events = Array.from({ length: size }, (_, i) => {
      const day = options.days[Math.floor(options.random() * options.days.length)] ?? '2026-11-24';
      const second = Math.floor(options.random() * 86_400);
      const time = new Date(Date.parse(`${day}T00:00:00Z`) + second * 1000).toISOString();
      return {
        eventId: `${batchId}-${i}`,
        type: 'app',
        ts: time,
        user: `user-${i % 7}`,
        app: 'excel.exe',
        title: `soak ${batchId} ${i}`,
        durationMs: i,
      };
    });
    const body = JSON.stringify({ batchId, events });
    for (;;) {
      stats.requests++;
      let status = 0;
      let retryAfter: string | null = null;
      let text = '';
      try {
        const res = await fetch(`${options.url()}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        text = await res.text();
      } catch {
        status = 0; // down (killed) or reset mid-request: not acknowledged, send again
      }
      stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
      if (status === 202) {
        const answer = JSON.parse(text) as { accepted: number };
        if (answer.accepted !== size)
          stats.violations.push(`${batchId}: 202 accepted ${answer.accepted} of ${size}`);
        for (const e of events) options.acked.add(`${options.tenantId}/${options.deviceId}/${e.eventId}`);
        stats.acknowledged++;
        break;
      }
      if (status === 429 || status === 503) {
        const seconds = Number(retryAfter);
        if (!Number.isFinite(seconds) || seconds < 0 || retryAfter === null) {
          stats.violations.push(`${batchId}: ${status} without a valid Retry-After (${retryAfter})`);
          await sleep(1000);
        } else {
          const waitMs = seconds * 1000 + options.random() * 200;
          stats.retryAfterWaitedMs += waitMs;
          await sleep(waitMs);
        }
        continue;
      }
      if (status === 0) {
        await sleep(100 + options.random() * 200);
        continue;
      }
      stats.violations.push(`${batchId}: unexpected ${status} ${text.slice(0, 200)}`);
      await sleep(500);
    }
  }
}
