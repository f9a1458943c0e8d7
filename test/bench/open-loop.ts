/**
 * An open-loop load generator: requests leave at a fixed rate, one every 1/rate seconds, whether
 * or not the earlier ones were answered (as independent agents send), over a pool of keep-alive
 * connections. Each latency runs from the request's scheduled time to its answer, so a server (or
 * a generator) that falls behind shows it instead of hiding it (no coordinated omission).
 *
 * autocannon's `overallRate` / `connectionRate` are not used for this: they let each connection
 * send its quota back to back at the start of every second and then wait (autocannon
 * lib/httpClient.js, `reqsMadeThisSecond`), which is a burst at the connection count, i.e. the
 * saturation test again for the first part of each second.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface OpenLoopOptions {
  url: string;
  headers: Record<string, string>;
  /** The body of the i-th request (a fresh batch id each, when the route remembers them). */
  body: (i: number) => string | Buffer;
  /** Requests per second. */
  rate: number;
  seconds: number;
  /** Give up on an answer after this long (counted as a failure). */
  timeoutMs?: number;
}

export interface OpenLoopResult {
  sent: number;
  failed: number;
  /** Milliseconds from the scheduled send to the end of the answer. */
  p50: number;
  p99: number;
  max: number;
  /** Requests answered per second of the run (equal to `rate` when the server keeps up). */
  achievedRate: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(options.url);
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const intervalMs = 1000 / options.rate;
  const latencies: number[] = [];
  let failed = 0;
  const inFlight: Promise<void>[] = [];

  const send = (i: number, scheduled: number) =>
    new Promise<void>((resolve) => {
      const body = options.body(i);
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { ...options.headers, 'content-length': String(Buffer.byteLength(body)) },
          timeout: options.timeoutMs ?? 30_000,
        },
        (res) => {
          res.resume();
          res.once('end', () => {
            if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300)
              latencies.push(performance.now() - scheduled);
            else failed++;
            resolve();
          });
        },
      );
      req.once('timeout', () => req.destroy(new Error('timed out')));
      req.once('error', () => {
        failed++;
        resolve();
      });
      req.end(body);
    });

  const start = performance.now() + 20;
  for (let i = 0; i < total; i++) {
    const scheduled = start + i * intervalMs;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(i, scheduled));
  }
  await Promise.all(inFlight);
  const elapsedSeconds = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    sent: total,
    failed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
    achievedRate: sorted.length / elapsedSeconds,
  };
}
