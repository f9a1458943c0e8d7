/**
 * `make demo`: a believable fleet on local mode, over HTTP, start to finish, in a couple of
 * minutes. Three Japanese companies (about 50 PCs each, different sizes) over three days: agents
 * post JSON batches; two PCs were offline and send their old days late; one agent retries and
 * sends duplicates; a file server's log shipper sends gzip NDJSON (and resends a chunk). Then:
 * flush, nightly conversion, reports as tables, the figures a buyer asks for, and a check that
 * every event is searchable exactly once (exit 1 if not). `--short` (CI's smoke test) runs a
 * smaller fleet over two days.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SingleBar } from 'cli-progress';
import { defaultInputs, figuresFromBench } from '../../shared/cost/inputs.js';
import { priceUsage, unitCosts } from '../../shared/cost/per-tenant.js';
import { monthlyAt, table, usd } from '../../shared/cost/report.js';
import type { UsageRow } from '../../shared/usage/read-usage.js';
import { type Answer, call, pool, startDemoServer } from './client.js';
import { type AgentPost, pcDay, pcsOf, rng, type TenantSpec } from './fleet.js';

const short = process.argv.includes('--short');
const TENANTS: TenantSpec[] = [
  { tenantId: 'sakura-shoji', company: 'sakura', pcs: short ? 12 : 70 },
  { tenantId: 'fuji-kogyo', company: 'fuji', pcs: short ? 8 : 50 },
  { tenantId: 'minato-sekkei', company: 'minato', pcs: short ? 5 : 30 },
];
const DAY_COUNT = short ? 2 : 3;
const SCALE = short ? 0.6 : 1.2;
const dayOf = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
const DAYS = Array.from({ length: DAY_COUNT }, (_, i) => dayOf(DAY_COUNT - i));
const say = (text = '') => process.stdout.write(`${text}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function bar(label: string, total: number, unit: string): SingleBar {
  const b = new SingleBar({
    format: `  ${label.padEnd(26)} [{bar}] {percentage}% {value}/{total} ${unit}`,
    barCompleteChar: '#',
    barIncompleteChar: '.',
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 3000,
    stream: process.stderr,
  });
  b.start(total, 0);
  return b;
}

function expectStatus(answer: Answer, status: number, what: string): void {
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

async function main(): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'oplake-demo-'));
  const started = performance.now();
  say(
    `oplake demo: ${TENANTS.length} companies, ${fmt(TENANTS.reduce((s, t) => s + t.pcs, 0))} PCs, ${DAYS.join(', ')} (JST office days)${short ? ' [short]' : ''}`,
  );
  const server = await startDemoServer(dataDir);
  try {
    const admin = await server.token('admin', null);
    const expected = new Map<string, number>(TENANTS.map((t) => [t.tenantId, 0]));
    // ---- the fleet's posts -----------------------------------------------------------------
    const onTime: AgentPost[] = [];
    const late: AgentPost[] = [];
    let seed = 1;
    for (const tenant of TENANTS) {
      const pcs = pcsOf(tenant);
      for (const [d, day] of DAYS.entries()) {
        for (const [i, pc] of pcs.entries()) {
          const posts = pcDay(pc, day, SCALE, seed++);
          if (tenant === TENANTS[1] && i === 0) {
            // this agent numbers its events, so a resend under a new batch id is still recognised
            for (const [k, p] of posts.entries())
              for (const [j, e] of p.events.entries()) e.eventId = `e-${day}-${k}-${j}`;
          }
          const offline = tenant === TENANTS[0] && i >= pcs.length - 2 && d < DAYS.length - 1;
          (offline ? late : onTime).push(...posts);
          expected.set(
            tenant.tenantId,
            (expected.get(tenant.tenantId) ?? 0) + posts.reduce((s, p) => s + p.events.length, 0),
          );
        }
      }
    }
    // the retrying agent (fuji-kogyo pc-001): every post again (a replay), one under a new batch id
    const dup = onTime.filter((p) => p.pc.tenantId === TENANTS[1]?.tenantId && p.pc.deviceId === 'pc-001');
    const resends: AgentPost[] = [
      ...dup,
      ...dup.slice(0, 1).map((p) => ({ ...p, batchId: `${p.batchId}-lost-state` })),
    ];
    // the log shipper: the file server's audit log, gzip NDJSON chunks of 500 lines, one resent
    const rand = rng(99);
    const shipperLines = DAYS.flatMap((day) =>
      Array.from({ length: short ? 300 : 1500 }, (_, i) =>
        JSON.stringify({
          type: 'file',
          ts: `${day}T${String(9 + rand(9)).padStart(2, '0')}:${String(rand(60)).padStart(2, '0')}:00+09:00`,
          user: `user${rand(70)}`,
          host: 'FS01',
          path: `\\\\fs01\\share\\経理\\伝票_${i}.pdf`,
          op: 'modify',
          seq: `${day}-${i}`,
        }),
      ),
    );
    const chunks = Array.from({ length: Math.ceil(shipperLines.length / 500) }, (_, i) =>
      gzipSync(shipperLines.slice(i * 500, i * 500 + 500).join('\n')),
    );
    expected.set(
      TENANTS[0]?.tenantId ?? '',
      (expected.get(TENANTS[0]?.tenantId ?? '') ?? 0) + shipperLines.length,
    );

    const tokens = new Map<string, string>();
    for (const t of TENANTS) {
      for (const pc of pcsOf(t))
        tokens.set(`${t.tenantId}/${pc.deviceId}`, await server.token('ingest', t.tenantId, pc.deviceId));
      tokens.set(`${t.tenantId}/search`, await server.token('search', t.tenantId));
    }
    const shipperToken = await server.token('ingest', TENANTS[0]?.tenantId ?? '');
    const post = async (p: AgentPost) => {
      const token = tokens.get(`${p.pc.tenantId}/${p.pc.deviceId}`) ?? '';
      const answer = await call(`${server.url}/v1/events`, {
        method: 'POST',
        token,
        body: JSON.stringify({ batchId: p.batchId, events: p.events }),
      });
      expectStatus(answer, 202, `post ${p.batchId}`);
    };

    // ---- 1. ingest -------------------------------------------------------------------------
    say('\n1. Ingest over HTTP (8 agents at a time; 429/503 waited out)');
    const onTimeEvents = onTime.reduce((s, p) => s + p.events.length, 0);
    const ingestStart = performance.now();
    let b = bar('agents (JSON)', onTimeEvents, 'events');
    await pool(onTime, 8, async (p) => {
      await post(p);
      b.increment(p.events.length);
    });
    b.stop();
    const ingestSeconds = (performance.now() - ingestStart) / 1000;
    b = bar('retrying agent (dups)', resends.length, 'posts');
    await pool(resends, 2, async (p) => {
      await post(p);
      b.increment();
    });
    b.stop();
    b = bar('log shipper (gzip NDJSON)', chunks.length + 1, 'chunks');
    for (const chunk of [...chunks, chunks[0] ?? Buffer.alloc(0)]) {
      const answer = await call(`${server.url}/v1/events`, {
        method: 'POST',
        token: shipperToken,
        body: chunk,
        headers: {
          'content-type': 'application/x-ndjson',
          'content-encoding': 'gzip',
          'x-device-id': 'fs01',
        },
      });
      expectStatus(answer, 202, 'shipper chunk');
      b.increment();
    }
    b.stop();

    // ---- 3. flush, nightly, late PCs, nightly again ----------------------------------------
    say(
      '\n2. Flush, time to searchable, nightly conversion; then two PCs that were offline send their old days',
    );
    expectStatus(await call(`${server.url}/v1/admin/flush`, { method: 'POST', token: admin }), 200, 'flush');
    // ---- time to searchable: one new event on the idle pipeline, polled until a search finds it
    const sentinel = {
      type: 'app',
      ts: new Date().toISOString(),
      app: 'demo-sentinel.exe',
      user: 'sato',
      host: 'SAKURA-PC001',
    };
    const t0 = performance.now();
    expectStatus(
      await call(`${server.url}/v1/events`, {
        method: 'POST',
        token: tokens.get('sakura-shoji/pc-001') ?? '',
        body: JSON.stringify({ batchId: 'sentinel', events: [sentinel] }),
      }),
      202,
      'sentinel',
    );
    const searchToken = (t: string) => tokens.get(`${t}/search`) ?? '';
    const range = { from: `${dayOf(DAY_COUNT + 1)}T00:00:00Z`, to: `${dayOf(-1)}T00:00:00Z` };
    let searchableMs = Number.NaN;
    while (performance.now() - t0 < 60_000) {
      const a = await call(`${server.url}/v1/search`, {
        method: 'POST',
        token: searchToken('sakura-shoji'),
        body: JSON.stringify({ ...range, filters: { app: 'demo-sentinel.exe' } }),
      });
      if ((a.body as { events?: unknown[] }).events?.length) {
        searchableMs = performance.now() - t0;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    expected.set('sakura-shoji', (expected.get('sakura-shoji') ?? 0) + 1);

    b = bar('nightly conversion', 2, 'runs');
    const nightly1 = await call(`${server.url}/v1/admin/nightly`, {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ date: DAYS[DAYS.length - 1] }),
    });
    expectStatus(nightly1, 200, 'nightly');
    b.increment();
    await pool(late, 4, post);
    expectStatus(await call(`${server.url}/v1/admin/flush`, { method: 'POST', token: admin }), 200, 'flush');
    const nightly2 = await call(`${server.url}/v1/admin/nightly`, {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ date: DAYS[DAYS.length - 1] }),
    });
    expectStatus(nightly2, 200, 'nightly');
    b.increment();
    b.stop();
    const summary = (a: Answer) => a.body as { targets?: number; succeeded?: number; failed?: number };
    say(
      `   first run: ${JSON.stringify(summary(nightly1))}; after the late PCs: ${JSON.stringify(summary(nightly2))}`,
    );

    // ---- 4. reports ------------------------------------------------------------------------
    const latencies: number[] = [];
    const ask = async (tenant: string, path: string, body: object) => {
      const a = await call(`${server.url}${path}`, {
        method: 'POST',
        token: searchToken(tenant),
        body: JSON.stringify(body),
      });
      expectStatus(a, 200, path);
      latencies.push(a.ms);
      return a.body as {
        rows?: Array<{ key: string; count: number; durationMs: number }>;
        events?: Array<Record<string, unknown>>;
      };
    };
    const main = TENANTS[0]?.tenantId ?? '';
    say(`\n3. Reports for ${main}`);
    const apps = await ask(main, '/v1/aggregate', {
      ...range,
      types: ['app'],
      groupBy: 'app',
      metric: 'durationMs',
      limit: 8,
    });
    say(
      `Top apps by usage time\n${table(
        ['app', 'hours', 'events'],
        (apps.rows ?? []).map((r) => [r.key, (r.durationMs / 3_600_000).toFixed(1), fmt(r.count)]),
        [1, 2],
      )}`,
    );
    const domains = await ask(main, '/v1/aggregate', {
      ...range,
      types: ['web'],
      groupBy: 'domain',
      limit: 8,
    });
    say(
      `\nTop domains\n${table(
        ['domain', 'visits'],
        (domains.rows ?? []).map((r) => [r.key, fmt(r.count)]),
        [1],
      )}`,
    );
    const perDay: string[][] = [];
    for (const t of TENANTS) {
      const days = await ask(t.tenantId, '/v1/aggregate', { ...range, groupBy: 'day' });
      perDay.push([t.tenantId, ...DAYS.map((d) => fmt(days.rows?.find((r) => r.key === d)?.count ?? 0))]);
    }
    say(
      `\nEvents per day (UTC), every company\n${table(
        ['company', ...DAYS],
        perDay,
        DAYS.map((_, i) => i + 1),
      )}`,
    );
    const day = DAYS[1] ?? DAYS[0] ?? '';
    const userDay = await ask(main, '/v1/search', {
      from: `${day}T00:00:00+09:00`,
      to: `${day}T23:59:59+09:00`,
      filters: { user: 'sato' },
      order: 'asc',
      limit: 1000,
    });
    const ev = userDay.events ?? [];
    const jst = (ts: unknown) => new Date(Date.parse(String(ts)) + 9 * 3_600_000).toISOString().slice(11, 19);
    const rows = [...ev.slice(0, 10), ...ev.slice(-4)].map((e) => [
      jst(e.ts),
      String(e.type),
      String(e.app ?? e.domain ?? e.path ?? e.op ?? ''),
      String(e.title ?? '').slice(0, 34),
    ]);
    say(
      `\nOne user's day: sato on ${day} (JST), ${ev.length} events, first 10 and last 4\n${table(['JST', 'type', 'what', 'title'], rows)}`,
    );

    // ---- 5. check: every event exactly once ------------------------------------------------
    let ok = true;
    const check: string[][] = [];
    for (const t of TENANTS) {
      const types = await ask(t.tenantId, '/v1/aggregate', { ...range, groupBy: 'type' });
      const got = (types.rows ?? []).reduce((s, r) => s + r.count, 0);
      const want = expected.get(t.tenantId) ?? 0;
      ok &&= got === want;
      check.push([t.tenantId, fmt(want), fmt(got), got === want ? 'ok' : 'MISMATCH']);
    }
    say(
      `\nEvery distinct event searchable exactly once (resends were accepted again, and stored once)\n${table(['company', 'distinct sent', 'searchable', ''], check, [1, 2])}`,
    );

    // ---- 6. usage and the buyer's figures --------------------------------------------------
    const usage = await call(`${server.url}/v1/admin/usage?from=${dayOf(DAY_COUNT + 1)}&to=${dayOf(0)}`, {
      method: 'GET',
      token: admin,
    });
    expectStatus(usage, 200, 'usage');
    const usageRows = (usage.body as { rows: UsageRow[] }).rows;
    const raw = usageRows.reduce((s, r) => s + r.rawBytes, 0);
    const parquet = usageRows.reduce((s, r) => s + r.parquetBytes, 0);
    const stored = [...expected.values()].reduce((a, b2) => a + b2, 0);
    const bench = join('test', 'bench', 'results', 'latest.json');
    const figures = figuresFromBench(existsSync(bench) ? JSON.parse(readFileSync(bench, 'utf8')) : null);
    const pcs = TENANTS.reduce((s, t) => s + t.pcs, 0);
    const perPcDay = onTimeEvents / (pcs * DAY_COUNT);
    const units = unitCosts(
      { ...defaultInputs(figures, pcs), eventsPerPcPerDay: perPcDay, tenants: TENANTS.length },
      figures,
    );
    const priced = priceUsage(usageRows, units, figures.rawGzipBytesPerEvent.value);
    say(
      `\nUsage per company (GET /v1/admin/usage), priced with the cost model\n${table(
        ['company', 'accepted', 'rejected', 'searches', 'raw bytes', 'Parquet bytes', 'modelled USD/month'],
        TENANTS.map((t) => {
          const rs = usageRows.filter((r) => r.tenantId === t.tenantId);
          const sum = (k: keyof UsageRow) => rs.reduce((s, r) => s + Number(r[k]), 0);
          return [
            t.tenantId,
            fmt(sum('eventsAccepted')),
            fmt(sum('eventsRejected')),
            fmt(sum('searches')),
            fmt(sum('rawBytes')),
            fmt(sum('parquetBytes')),
            usd(priced.find((p) => p.tenantId === t.tenantId)?.monthlyUsd ?? 0),
          ];
        }),
        [1, 2, 3, 4, 5, 6],
      )}`,
    );
    const sorted = [...latencies].sort((a, b2) => a - b2);
    say(
      `\nWhat a buyer asks\n${table(
        ['figure', 'value'],
        [
          [
            'events ingested per second (agents, JSON over HTTP)',
            `${fmt(onTimeEvents / ingestSeconds)} events/s (${fmt(onTimeEvents)} in ${ingestSeconds.toFixed(1)} s)`,
          ],
          [
            'time to searchable (1 s buffers locally; Firehose buffers up to 900 s on AWS)',
            Number.isNaN(searchableMs) ? 'not within 60 s' : `${(searchableMs / 1000).toFixed(1)} s`,
          ],
          [
            'Parquet vs raw gzip JSON',
            `${fmt(parquet)} B vs ${fmt(raw)} B (${(parquet / raw).toFixed(2)}x; ${(parquet / stored).toFixed(1)} B/event)`,
          ],
          [
            'search latency over these reports',
            `p50 ${(sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(0)} ms, max ${(sorted[sorted.length - 1] ?? 0).toFixed(0)} ms (${sorted.length} queries)`,
          ],
          [
            `modelled AWS month at this fleet's rate (${pcs} PCs x ${fmt(perPcDay)} events/day)`,
            `${usd(monthlyAt(pcs, perPcDay, TENANTS.length, figures))} (make cost for the breakdown)`,
          ],
        ],
      )}`,
    );
    say(
      `\ndone in ${((performance.now() - started) / 1000).toFixed(0)} s${ok ? '' : ' -- COUNTS DO NOT MATCH'}`,
    );
    return ok ? 0 : 1;
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
