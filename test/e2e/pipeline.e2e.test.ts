/**
 * The whole product through `make dev`'s server and the `oplake` CLI, as a user drives it:
 * ingest (JSON and NDJSON, with duplicates) → flush → search and aggregate over raw data →
 * nightly → the same answers over Parquet → tenant delete → nothing left to find.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { dayPlus, utcDay } from '../fixtures/dates.js';
import { storedIds } from '../fixtures/lake-reader.js';
import { freePort, runCli, type ServerProcess, startServer, stopServer } from './local-server.js';

interface Page {
  events: Array<Record<string, unknown>>;
  nextCursor: string | null;
  stats: { engine: string; scannedBytes: number };
}

let dataDir: string;
let server: ServerProcess;
const tokens: Record<string, string> = {};

async function token(args: string[]): Promise<string> {
  const result = await runCli(['token', ...args, '--data-dir', dataDir]);
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

async function post(path: string, bearer: string, body: string, contentType = 'application/json') {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': contentType },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Follows nextCursor to the end; answers every event in order. */
async function searchAll(bearer: string, query: Record<string, unknown>): Promise<Page['events']> {
  const all: Page['events'] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res = await post('/v1/search', bearer, JSON.stringify({ ...query, cursor }));
    expect(res.status).toBe(200);
    const body = res.body as unknown as Page;
    all.push(...body.events);
    cursor = body.nextCursor;
    if (cursor === null) return all;
  }
  throw new Error('more than 100 pages');
}

// Two days of events a week ago (the server keeps the wall clock): the agent's are on DAY and the
// day after, the shipper's and beta's on the day after.
const DAY = utcDay(-7);
const NEXT = dayPlus(DAY, 1);
const RANGE = { from: `${dayPlus(DAY, -2)}T00:00:00+09:00`, to: `${dayPlus(DAY, 3)}T00:00:00+09:00` };
const TODAY = utcDay(0);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'oplake-pipeline-'));
  server = await startServer(dataDir, await freePort());
  tokens.acmeIngest = await token(['--tenant', 'acme-corp', '--scope', 'ingest', '--device', 'pc-001']);
  tokens.acmeShipper = await token(['--tenant', 'acme-corp', '--scope', 'ingest']);
  tokens.acmeSearch = await token(['--tenant', 'acme-corp', '--scope', 'search']);
  tokens.betaIngest = await token(['--tenant', 'beta-corp', '--scope', 'ingest', '--device', 'pc-900']);
  tokens.betaSearch = await token(['--tenant', 'beta-corp', '--scope', 'search']);
});

afterAll(async () => {
  if (server) await stopServer(server, 'SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
});

describe('the local pipeline, end to end', () => {
  let beforeNightly: Page['events'] = [];

  it('accepts agents and shippers, duplicates included', async () => {
    // Prepare: 30 app events over two days from an agent, sent twice; 10 web events from a shipper, sent twice
    const batch = {
      batchId: 'b-1',
      events: Array.from({ length: 30 }, (_, i) => ({
        type: 'app',
        ts: `${i % 2 ? NEXT : DAY}T09:${String(i).padStart(2, '0')}:00.000+09:00`,
        user: i % 3 === 0 ? 'yamada' : 'sato',
        app: i % 2 ? 'EXCEL.EXE' : 'winword.exe',
        title: `doc-${i}`,
        durationMs: 1000 * (i + 1),
      })),
    };
    const ndjson = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({
        type: 'web',
        ts: `${NEXT}T10:00:0${i}+09:00`,
        user: 'sato',
        deviceId: 'pc-002',
        url: `https://Wiki.Example.co.jp/page/${i}`,
        title: 'Wiki',
      }),
    ).join('\n');
    // Act
    const first = await post('/v1/events', tokens.acmeIngest ?? '', JSON.stringify(batch));
    const replay = await post('/v1/events', tokens.acmeIngest ?? '', JSON.stringify(batch));
    const shipped = await post('/v1/events', tokens.acmeShipper ?? '', ndjson, 'application/x-ndjson');
    const reshipped = await post('/v1/events', tokens.acmeShipper ?? '', ndjson, 'application/x-ndjson');
    const beta = await post(
      '/v1/events',
      tokens.betaIngest ?? '',
      JSON.stringify({
        batchId: 'b-1',
        events: [{ type: 'app', ts: `${NEXT}T09:00:00+09:00`, app: 'excel.exe' }],
      }),
    );
    const flush = await runCli(['flush', '--url', server.url, '--data-dir', dataDir]);
    // Assess
    expect(first).toEqual({ status: 202, body: { batchId: 'b-1', accepted: 30, rejected: 0, errors: [] } });
    expect(replay).toEqual(first);
    expect(shipped.status).toBe(202);
    expect(reshipped.body.accepted).toBe(10);
    expect(beta.status).toBe(202);
    expect(flush.code).toBe(0);
  });

  it('finds every event once over raw data, in order, page by page', async () => {
    // Act
    beforeNightly = await searchAll(tokens.acmeSearch ?? '', { ...RANGE, limit: 7, order: 'asc' });
    // Assess
    expect(beforeNightly).toHaveLength(40);
    const keys = beforeNightly.map((e) => `${e.ts}|${e.eventId}|${e.deviceId}`);
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(40);
    const web = beforeNightly.find((e) => e.type === 'web');
    expect(web).toMatchObject({ domain: 'wiki.example.co.jp', deviceId: 'pc-002', app: null, attrs: null });
  });

  it('aggregates the same way an administrator reads the report', async () => {
    const res = await post(
      '/v1/aggregate',
      tokens.acmeSearch ?? '',
      JSON.stringify({ ...RANGE, types: ['app'], groupBy: 'app', metric: 'durationMs' }),
    );
    expect(res.status).toBe(200);
    const rows = res.body.rows as Array<{ key: string; count: number; durationMs: number }>;
    expect(rows.map((r) => r.count).reduce((a, b) => a + b, 0)).toBe(30);
    const total = Array.from({ length: 30 }, (_, i) => 1000 * (i + 1)).reduce((a, b) => a + b, 0);
    expect(rows.map((r) => r.durationMs).reduce((a, b) => a + b, 0)).toBe(total);
    expect(rows.map((r) => r.durationMs)).toEqual([...rows.map((r) => r.durationMs)].sort((a, b) => b - a));
  });

  it('answers the same after the nightly conversion, from Parquet', async () => {
    // Act
    const nightly = await runCli(['nightly', '--date', TODAY, '--url', server.url, '--data-dir', dataDir]);
    const after = await searchAll(tokens.acmeSearch ?? '', { ...RANGE, limit: 7, order: 'asc' });
    const again = await runCli(['nightly', '--date', TODAY, '--url', server.url, '--data-dir', dataDir]);
    // Assess
    expect(nightly.code).toBe(0);
    expect(JSON.parse(nightly.stdout)).toMatchObject({ failed: 0, succeeded: 3 });
    expect(after).toEqual(beforeNightly);
    expect(JSON.parse(again.stdout)).toMatchObject({ targets: 0, failed: 0 });
    // The agents' events came without ids: Parquet holds their position only (30 + beta's 1),
    // the shipper's content-derived ids are stored; search answered with the same ids above.
    // Counted over day and month files: from the 4th of a month the run compacts the month before
    // (the server runs on the wall clock), and the answer above must not change with the date.
    expect(await storedIds(new FileObjectStore(join(dataDir, 'lake')))).toEqual({
      stored: 10,
      positional: 31,
    });
  });

  it("never shows one tenant another's events", async () => {
    const beta = await searchAll(tokens.betaSearch ?? '', { ...RANGE });
    expect(beta).toHaveLength(1);
    expect(beta[0]?.deviceId).toBe('pc-900');
  });

  it("deletes every byte of a tenant's data and nothing else", async () => {
    const deleted = await runCli([
      'tenant',
      'delete',
      'acme-corp',
      '--url',
      server.url,
      '--data-dir',
      dataDir,
    ]);
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout).objects).toBeGreaterThan(0);
    expect(await searchAll(tokens.acmeSearch ?? '', { ...RANGE })).toEqual([]);
    expect(await searchAll(tokens.betaSearch ?? '', { ...RANGE })).toHaveLength(1);
  });
});
