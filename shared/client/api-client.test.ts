/**
 * The search API client against the real local server (search routes over DuckDB, wait budget 0
 * so every query answers 202, one concurrent query a tenant): polling to the answer, errors with
 * the contract's code, and a cancel that stops the query on the server and frees the slot at once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { searchRoutes } from '../../functions/search/local.js';
import { signToken } from '../auth/tokens.js';
import { createLocalRuntime } from '../local/runtime/runtime.js';
import { type LocalServer, startLocalServer } from '../local/server/server.js';
import { ApiClient, ApiRequestError, CancelledError } from './api-client.js';

let dataDir: string;
let server: LocalServer;
let client: ApiClient;
let token: string;
const range = { from: '2026-11-01T00:00:00+09:00', to: '2026-11-08T00:00:00+09:00' };
const wide = { from: '2026-09-25T00:00:00+09:00', to: '2026-11-15T00:00:00+09:00' };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'oplake-client-'));
  const runtime = await createLocalRuntime({ dataDir, background: false, logLevel: 'SILENT' });
  server = await startLocalServer({
    runtime,
    port: 0,
    extraRoutes: searchRoutes({ waitBudgetMs: 0, maxConcurrentQueries: 1 }),
  });
  const keys = await runtime.keys.load();
  const ingest = await signToken(keys, { tenantId: 'acme-corp', scope: 'ingest', ttlSeconds: 300 });
  const sent = await fetch(`${server.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      batchId: 'b-1',
      deviceId: 'pc-001',
      // One event a day for 40 days, and 1,800 of random titles on the last: a query that reads
      // them all outlasts a wait budget of 0.
      events: [
        ...Array.from({ length: 40 }, (_, i) => ({
          type: 'app',
          ts: new Date(Date.parse('2026-10-01T09:00:00+09:00') + i * 86_400_000).toISOString(),
          app: 'excel.exe',
          durationMs: 1000,
        })),
        ...Array.from({ length: 1800 }, (_, i) => ({
          type: 'app',
          ts: new Date(Date.parse('2026-11-09T09:00:00+09:00') + i * 1000).toISOString(),
          app: 'winword.exe',
          title: randomBytes(48).toString('hex'),
        })),
      ],
    }),
  });
  expect(sent.status).toBe(202);
  await runtime.flush();
  token = await signToken(keys, { tenantId: 'acme-corp', scope: 'search', ttlSeconds: 300 });
  client = new ApiClient({ baseUrl: `${server.url}/`, token, pollIntervalMs: 100 });
});

afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('ApiClient', () => {
  it('a cancel stops the query on the server (DELETE), so the slot comes back at once', async () => {
    // A query over every object (1,800 random titles) outlasts the wait budget of 0: 202, then cancel.
    const controller = new AbortController();
    const progress: string[] = [];
    const cancelled = client.search(
      { ...wide, filters: { text: 'absent' } },
      {
        signal: controller.signal,
        onProgress: (p) => {
          progress.push(p.queryId);
          controller.abort();
        },
      },
    );
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
    expect(progress).toHaveLength(1);
    const queryId = progress[0] ?? '';
    // The tenant's only slot is free again: the next search runs at once.
    await expect(client.search(range)).resolves.toMatchObject({ events: expect.any(Array) });
    // The server knows it was cancelled: DELETE again says so, GET answers 410.
    await expect(client.cancel(queryId)).resolves.toEqual({ queryId, status: 'cancelled' });
    const got = await fetch(`${server.url}/v1/search/${queryId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(got.status).toBe(410);
    expect(await got.json()).toMatchObject({ error: { code: 'query_cancelled' } });
    await expect(client.cancel('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });
  it('answers a search and an aggregate, polled to the end when they run past the budget', async () => {
    const answer = await client.search(range);
    // 2026-11-01 .. 2026-11-07, one a day, newest first.
    expect(answer.events.map((e) => e.ts.slice(0, 10))).toEqual(
      ['07', '06', '05', '04', '03', '02', '01'].map((d) => `2026-11-${d}`),
    );
    expect(answer.nextCursor).toBeNull();
    const rows = await client.aggregate({ ...range, groupBy: 'hour' });
    expect(rows.rows).toHaveLength(7);
    expect(rows.rows[0]).toEqual({ key: '2026-11-01T00:00:00.000Z', count: 1, durationMs: 1000 });
  });

  it('turns an error answer into the contract code and details', async () => {
    const error = await client.search({ ...range, to: range.from }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', details: [{ field: 'to' }] });
    const forged = new ApiClient({ baseUrl: server.url, token: 'x.y.z' });
    await expect(forged.search(range)).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
