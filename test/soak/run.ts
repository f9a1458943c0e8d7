/**
 * `make soak`: the dev server under load and crashes. Simulated agents (agents.ts) send batches
 * for a set time, honouring Retry-After; meanwhile the server is killed with SIGKILL at random
 * moments and restarted at once on the same data directory and port, as a supervisor would.
 * Then the agents finish their last batch, and the run flushes, converts (nightly) and reconciles
 * (reconcile.ts): every 202-acknowledged event must be in the converted lake exactly once and
 * counted by the search API, and no answer may be a 5xx other than 503 with Retry-After.
 *
 *   npx tsx test/soak/run.ts [--seconds 300] [--agents 40] [--tenants 4] [--kill-min-ms 8000]
 *                            [--kill-max-ms 20000] [--events-per-second 1500] [--seed 1]
 *
 * Prints progress every 5 s and a table at the end; writes test/soak/results/latest.json.
 * Exit code 0 only when nothing was lost, doubled or answered out of contract.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { FileKeySetSource } from '../../shared/auth/file-key-set.js';
import { signToken } from '../../shared/auth/tokens.js';
import { freePort, REPO_ROOT, type ServerProcess, startServer } from '../e2e/local-server.js';
import { type AgentStats, newStats, runAgent } from './agents.js';
import { countLake, reconcile } from './reconcile.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '300' },
    agents: { type: 'string', default: '40' },
    tenants: { type: 'string', default: '4' },
    'kill-min-ms': { type: 'string', default: '8000' },
    'kill-max-ms': { type: 'string', default: '20000' },
    'events-per-second': { type: 'string', default: '1500' },
    seed: { type: 'string', default: '1' },
  },
});
const SECONDS = Number(args.seconds);
const AGENTS = Number(args.agents);
const TENANTS = Number(args.tenants);
const KILL_MIN = Number(args['kill-min-ms']);
const KILL_MAX = Number(args['kill-max-ms']);
/** The UTC day `offset` days before the soak's start. */
const dayBefore = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
/** Three closed days ending the day before yesterday: inside every window the server keeps, on any date. */
const DAYS = [dayBefore(4), dayBefore(3), dayBefore(2)];
const AFTER_LAST_DAY = dayBefore(1);

/** mulberry32: a seeded generator, so a failing run can be repeated. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(Number(args.seed));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oplake-soak-'));
  const port = await freePort();
  const env = {
    OPLAKE_LOG_LEVEL: 'ERROR',
    OPLAKE_FLUSH_INTERVAL_MS: '1000',
    OPLAKE_BUFFER_AGE_MS: '3000',
    OPLAKE_INGEST_RATE_LIMITS: JSON.stringify({
      default: { eventsPerSecond: Number(args['events-per-second']), bytesPerSecond: 16 * 1024 * 1024 },
    }),
  };
  let server: ServerProcess = await startServer(dataDir, port, 60_000, env);
  try {
    const keys = await new FileKeySetSource(dataDir).load();
    const tenants = Array.from({ length: TENANTS }, (_, i) => `soak-tenant-${i}`);
    const acked = new Set<string>();
    const stats: AgentStats[] = [];
    let stopping = false;
    const agents: Promise<void>[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const tenantId = tenants[i % TENANTS] ?? 'soak-tenant-0';
      const deviceId = `pc-${String(i).padStart(4, '0')}`;
      const token = await signToken(keys, { tenantId, scope: 'ingest', sub: deviceId, ttlSeconds: 86_400 });
      const s = newStats();
      stats.push(s);
      agents.push(
        runAgent({
          url: () => server.url,
          tenantId,
          deviceId,
          token,
          stopping: () => stopping,
          acked,
          stats: s,
          random,
          days: DAYS,
        }),
      );
    }

    // Load with kills
    const started = Date.now();
    const deadline = started + SECONDS * 1000;
    const restartsMs: number[] = [];
    let kills = 0;
    const requests = () => stats.reduce((sum, s) => sum + s.requests, 0);
    const progress = setInterval(() => {
      const elapsed = Math.round((Date.now() - started) / 1000);
      process.stdout.write(
        `soak ${elapsed}/${SECONDS} s: ${requests()} requests, ${acked.size} events acknowledged, ${kills} kills\n`,
      );
    }, 5000);
    try {
      while (Date.now() < deadline) {
        await sleep(
          Math.min(KILL_MIN + random() * (KILL_MAX - KILL_MIN), Math.max(0, deadline - Date.now())),
        );
        if (Date.now() >= deadline) break;
        const exited = new Promise((r) => server.child.once('exit', r));
        server.child.kill('SIGKILL');
        const killedAt = Date.now();
        kills++;
        await exited;
        server = await startServer(dataDir, port, 60_000, env);
        restartsMs.push(Date.now() - killedAt);
      }
      stopping = true;
      process.stdout.write(`soak: load stops after ${kills} kills; each agent finishes its last batch\n`);
      await Promise.race([
        Promise.all(agents),
        sleep(180_000).then(() => Promise.reject(new Error('agents did not finish within 180 s'))),
      ]);
    } finally {
      clearInterval(progress);
    }
    const loadSeconds = (Date.now() - started) / 1000;

    // Flush, convert, reconcile
    const admin = await signToken(keys, { tenantId: null, scope: 'admin', ttlSeconds: 3600 });
    const flushed = await call(server.url, admin, 'POST', '/v1/admin/flush');
    const nightly = await call(server.url, admin, 'POST', '/v1/admin/nightly', {});
    process.stdout.write(`soak: flush ${JSON.stringify(flushed)}; nightly ${JSON.stringify(nightly)}\n`);
    const lake = await countLake(new FileObjectStore(join(dataDir, 'lake')));
    const result = reconcile(acked, lake);
    const searchable = await countThroughSearch(server.url, keys, tenants, acked);

    const statuses: Record<string, number> = {};
    for (const s of stats)
      for (const [k, v] of Object.entries(s.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    const violations = stats.flatMap((s) => s.violations);
    const fivexx = Object.entries(statuses)
      .filter(([k]) => Number(k) >= 500 && k !== '503')
      .reduce((sum, [, v]) => sum + v, 0);
    restartsMs.sort((a, b) => a - b);
    const report = {
      seconds: SECONDS,
      loadSeconds: Math.round(loadSeconds),
      agents: AGENTS,
      tenants: TENANTS,
      seed: Number(args.seed),
      requests: requests(),
      batchesAcknowledged: stats.reduce((sum, s) => sum + s.acknowledged, 0),
      eventsAcknowledged: result.acknowledged,
      kills,
      restartMs: {
        median: restartsMs[Math.floor(restartsMs.length / 2)] ?? null,
        max: restartsMs.at(-1) ?? null,
      },
      statuses,
      retryAfterWaitedSeconds: Math.round(stats.reduce((sum, s) => sum + s.retryAfterWaitedMs, 0) / 1000),
      lost: result.lost,
      doubled: result.doubled,
      unacknowledgedFound: result.unacknowledgedFound,
      searchCountMismatches: searchable.mismatches,
      searchableEvents: searchable.total,
      rawObjectsLeft: lake.rawObjectsLeft,
      parquetFiles: lake.parquetFiles,
      fivexxOtherThan503: fivexx,
      violations: violations.length,
      examples: [...result.examples, ...violations.slice(0, 10), ...searchable.examples],
    };
    await mkdir(join(REPO_ROOT, 'test/soak/results'), { recursive: true });
    await writeFile(join(REPO_ROOT, 'test/soak/results/latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    printTable(report);
    const ok =
      report.lost === 0 &&
      report.doubled === 0 &&
      report.fivexxOtherThan503 === 0 &&
      report.violations === 0 &&
      report.searchCountMismatches === 0 &&
      report.eventsAcknowledged > 0;
    process.stdout.write(ok ? 'soak: PASSED\n' : 'soak: FAILED\n');
    return ok ? 0 : 1;
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      server.child.kill('SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function call(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(600_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

/** Per tenant, the API's count by device must be the acknowledged count of each device. */
async function countThroughSearch(
  url: string,
  keys: Awaited<ReturnType<FileKeySetSource['load']>>,
  tenants: readonly string[],
  acked: ReadonlySet<string>,
): Promise<{ total: number; mismatches: number; examples: string[] }> {
  const expected = new Map<string, number>();
  for (const key of acked) {
    const [tenant, device] = key.split('/');
    expected.set(`${tenant}/${device}`, (expected.get(`${tenant}/${device}`) ?? 0) + 1);
  }
  let total = 0;
  let mismatches = 0;
  const examples: string[] = [];
  const range = { from: `${DAYS[0]}T00:00:00Z`, to: `${AFTER_LAST_DAY}T00:00:00Z` };
  for (const tenant of tenants) {
    const token = await signToken(keys, { tenantId: tenant, scope: 'search', ttlSeconds: 3600 });
    let answer = (await call(url, token, 'POST', '/v1/aggregate', {
      ...range,
      groupBy: 'deviceId',
      limit: 1000,
    })) as {
      rows?: { key: string; count: number }[];
      queryId?: string;
    };
    for (let i = 0; !answer.rows && answer.queryId && i < 600; i++) {
      await sleep(500);
      answer = (await call(url, token, 'GET', `/v1/search/${answer.queryId}`)) as typeof answer;
    }
    const counted = new Map((answer.rows ?? []).map((r) => [`${tenant}/${r.key}`, r.count]));
    for (const [device, n] of expected) {
      if (!device.startsWith(`${tenant}/`)) continue;
      const got = counted.get(device) ?? 0;
      total += got;
      if (got !== n) {
        mismatches++;
        if (examples.length < 5) examples.push(`search counts ${got} events of ${device}, ${n} acknowledged`);
      }
    }
  }
  return { total, mismatches, examples };
}

function printTable(report: Record<string, unknown>): void {
  const rows = Object.entries(report).filter(([k]) => k !== 'examples');
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write('\n');
  for (const [k, v] of rows)
    process.stdout.write(`  ${k.padEnd(width)}  ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
  const examples = report.examples as string[];
  if (examples.length) process.stdout.write(`  examples:\n${examples.map((e) => `    ${e}`).join('\n')}\n`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
