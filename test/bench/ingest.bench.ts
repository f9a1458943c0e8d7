/**
 * ingest: POST /v1/events over local HTTP, 1-event and 500-event batches, JSON (a fresh batchId
 * per request) and gzip NDJSON, against an empty handler on the same server (same body, same
 * headers) in the same run. The server runs in its own process as `make dev` does (split worker
 * in its background thread); each round starts on an idle server (an untimed flush before it).
 * Two loads per case:
 * - saturation: autocannon, 4 connections each sending its next request as soon as the last is
 *   answered: events/s, and p50/p99 latency at that load;
 * - fixed rate: the same offered load for both sides (half the product's saturation request rate
 *   of this run), requests leaving at even intervals (open-loop.ts): p50/p99 latency. The
 *   latency target (500-event batches: p99 within 3x of the empty handler's) is judged here, at a
 *   load the product sustains, as latency targets are; the saturation p99 is reported beside it.
 * Medians over the rounds. Also writes the byte figures `make cost` reads.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { normalizeBatch, packRecords } from '../../functions/split/split.js';
import { type CaseResult, compare, median } from './harness.js';
import { openLoop } from './open-loop.js';
import { agentBatch } from './split.bench.js';

interface Server {
  url: string;
  token: string;
  admin: string;
  child: ChildProcess;
}

/** POST /v1/admin/flush: the queue drained through split, buffers written to the lake. */
async function drain(server: Server): Promise<void> {
  const res = await fetch(`${server.url}/v1/admin/flush`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.admin}` },
  });
  if (!res.ok) throw new Error(`flush answered ${res.status}: ${await res.text()}`);
}

async function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/ingest-server.ts', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
    });
    child.once('exit', (code) => reject(new Error(`ingest bench server exited with ${code}`)));
  });
  const { url, token, admin } = JSON.parse(line) as { url: string; token: string; admin: string };
  return { url, token, admin, child };
}

/** Byte figures of a realistic 500-event batch: as sent, as stored (JSON lines), stored gzip. */
export function byteFigures(events: number) {
  const batch = agentBatch(events, 7);
  const sent = batch.events.map((e) => e.event);
  const json = JSON.stringify({ batchId: 'b-0000000000', events: sent });
  const lines = Buffer.concat(packRecords(normalizeBatch(batch).events).map((r) => r.data));
  return {
    jsonBytesPerEvent: Math.round(Buffer.byteLength(json) / events),
    storedLineBytesPerEvent: Math.round(lines.length / events),
    storedGzipBytesPerEvent: Number((gzipSync(lines).length / events).toFixed(1)),
  };
}

interface Case {
  name: string;
  events: number;
  /** Seconds a round lasts (autocannon's `amount` mode ends on a whole-second tick: not used). */
  seconds: number;
  format: 'json' | 'ndjson-gzip';
}

const CASES: Case[] = [
  { name: '1-event JSON', events: 1, seconds: 5, format: 'json' },
  { name: '500-event JSON', events: 500, seconds: 8, format: 'json' },
  { name: '1-event gzip NDJSON', events: 1, seconds: 5, format: 'ndjson-gzip' },
  { name: '500-event gzip NDJSON', events: 500, seconds: 8, format: 'ndjson-gzip' },
];

type Side = 'candidate' | 'baseline';
type Samples = Record<Side, { p50: number[]; p99: number[]; rate: number[] }>;

const newSamples = (): Samples => ({
  candidate: { p50: [], p99: [], rate: [] },
  baseline: { p50: [], p99: [], rate: [] },
});

/**
 * Puts the rounds' medians into a compare() result: rates (events/s) and p50/p99 of each side,
 * and p99 / the empty handler's p99. The warm-up round of each side is not a measurement.
 */
function summarise(r: CaseResult, samples: Samples, extra: Record<string, number> = {}): CaseResult {
  for (const side of [samples.candidate, samples.baseline]) {
    side.p50.shift();
    side.p99.shift();
    side.rate.shift();
  }
  r.candidate.rate = median(samples.candidate.rate);
  r.baseline.rate = median(samples.baseline.rate);
  r.ratio = r.candidate.rate / r.baseline.rate;
  const round1 = (ms: number) => Number(ms.toFixed(1));
  const p99 = median(samples.candidate.p99);
  const emptyP99 = median(samples.baseline.p99);
  r.candidate.extra = {
    p50Ms: round1(median(samples.candidate.p50)),
    p99Ms: round1(p99),
    p99VsEmpty: Number((p99 / Math.max(emptyP99, 0.001)).toFixed(2)),
    ...extra,
  };
  r.baseline.extra = { p50Ms: round1(median(samples.baseline.p50)), p99Ms: round1(emptyP99) };
  return r;
}

/** Both sides at `rate` requests/s, open loop (open-loop.ts); medians of the rounds' p50 and p99. */
async function fixedRate(
  server: Server,
  c: Case,
  rate: number,
  headers: Record<string, string>,
  productBody: () => string | Buffer,
  emptyBody: string | Buffer,
  progress: (message: string) => void,
): Promise<CaseResult> {
  const latencies = newSamples();
  const round = (path: string, side: Side) => async () => {
    await drain(server);
    const result = await openLoop({
      url: `${server.url}${path}`,
      headers,
      body: path === '/v1/events' ? productBody : () => emptyBody,
      rate,
      seconds: c.seconds,
    });
    if (result.failed > 0)
      throw new Error(`${c.name} ${path} at ${rate} req/s: ${result.failed} requests failed`);
    latencies[side].p50.push(result.p50);
    latencies[side].p99.push(result.p99);
    latencies[side].rate.push(result.achievedRate * c.events);
    return { units: result.sent * c.events };
  };
  progress(`ingest: ${c.name} at a fixed ${rate} requests/s, ${c.seconds} s a round`);
  const r = await compare({
    bench: 'ingest',
    name: `${c.name}, fixed ${rate} req/s`,
    unit: 'events',
    rounds: 3,
    progress,
    candidate: round('/v1/events', 'candidate'),
    baselineName: 'empty handler, same rate',
    baseline: round('/bench/empty', 'baseline'),
  });
  return summarise(r, latencies, { offeredReqPerSecond: rate });
}

export async function run(progress: (message: string) => void): Promise<CaseResult[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oplake-bench-ingest-'));
  const server = await startServer(dataDir);
  let batchSeq = 0;
  try {
    const results: CaseResult[] = [];
    for (const c of CASES) {
      const sent = agentBatch(c.events, 11).events.map((e) => e.event);
      const headers: Record<string, string> = { authorization: `Bearer ${server.token}` };
      let body: string | Buffer;
      let setupRequest: ((request: autocannon.Request) => autocannon.Request) | undefined;
      let nextBody: () => string | Buffer;
      if (c.format === 'json') {
        headers['content-type'] = 'application/json';
        const tail = `","events":${JSON.stringify(sent)}}`;
        body = `{"batchId":"b-0000000000${tail}`;
        nextBody = () => `{"batchId":"b-${String(++batchSeq).padStart(10, '0')}${tail}`;
        setupRequest = (request) => ({ ...request, body: nextBody() });
      } else {
        headers['content-type'] = 'application/x-ndjson';
        headers['content-encoding'] = 'gzip';
        const gzipped = gzipSync(sent.map((e) => JSON.stringify(e)).join('\n'));
        body = gzipped;
        nextBody = () => gzipped;
      }
      const latencies = newSamples();
      const round = (path: string, side: Side) => async () => {
        await drain(server); // every round starts on an idle server (queue empty, buffers written)
        const result = await autocannon({
          url: `${server.url}${path}`,
          method: 'POST',
          headers,
          body,
          ...(setupRequest && path === '/v1/events' ? { requests: [{ setupRequest }] } : {}),
          connections: 4,
          duration: c.seconds,
          timeout: 30,
        });
        const bad = result.non2xx + result.errors + result.timeouts;
        if (bad > 0) throw new Error(`${c.name} ${path}: ${bad} requests failed (non-2xx, errors, timeouts)`);
        const seconds = (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000;
        const units = result.requests.total * c.events;
        latencies[side].p50.push(result.latency.p50);
        latencies[side].p99.push(result.latency.p99);
        latencies[side].rate.push(units / seconds);
        return { units, seconds };
      };
      progress(`ingest: ${c.name}, ${c.seconds} s a round`);
      const r = await compare({
        bench: 'ingest',
        name: c.name,
        unit: 'events',
        rounds: 3,
        progress,
        candidate: round('/v1/events', 'candidate'),
        baselineName: 'empty handler, same server',
        baseline: round('/bench/empty', 'baseline'),
      });
      summarise(r, latencies, c.events === 500 && c.format === 'json' ? byteFigures(500) : {});
      results.push(r);
      // The same offered load for both sides: half of what the product sustained above.
      const rate = Math.max(1, Math.round(r.candidate.rate / c.events / 2));
      results.push(await fixedRate(server, c, rate, headers, nextBody, body, progress));
    }
    return results;
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}
