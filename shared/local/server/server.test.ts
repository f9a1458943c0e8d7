import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Hono } from 'hono';
import { signToken } from '../../auth/tokens.js';
import { createLocalRuntime, type LocalRuntime } from '../runtime/runtime.js';
import { toFunctionUrlEvent } from './http-event.js';
import { RouteTable } from './routes.js';
import { createApp, defaultRoutes } from './server.js';

describe('function URL events', () => {
  it('passes JSON as text and gzip as base64, with lower-case headers and the raw query', async () => {
    const json = await toFunctionUrlEvent(
      new Request('http://127.0.0.1:8787/v1/search/q-1?a=1&a=2&b=x', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Device-Id': 'pc-1' },
        body: '{"x":1}',
      }),
    );
    expect(json).toMatchObject({
      version: '2.0',
      rawPath: '/v1/search/q-1',
      rawQueryString: 'a=1&a=2&b=x',
      queryStringParameters: { a: '1,2', b: 'x' },
      headers: { 'content-type': 'application/json', 'x-device-id': 'pc-1' },
      requestContext: { http: { method: 'POST', path: '/v1/search/q-1' } },
      body: '{"x":1}',
      isBase64Encoded: false,
    });

    const zipped = gzipSync(Buffer.from('{"a":1}\n'));
    const gz = await toFunctionUrlEvent(
      new Request('http://127.0.0.1:8787/v1/events', {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
        body: zipped,
      }),
    );
    expect(gz.isBase64Encoded).toBe(true);
    expect(Buffer.from(gz.body ?? '', 'base64').equals(zipped)).toBe(true);
  });
});

describe('RouteTable', () => {
  const ok = async () => ({ statusCode: 200, body: '' });

  it('matches {param} segments and refuses a duplicate route', () => {
    const routes = new RouteTable().add({
      method: 'GET',
      path: '/v1/search/{id}',
      functionName: 'search',
      handler: ok,
    });
    expect(routes.match('GET', '/v1/search/q%3A1')?.pathParameters).toEqual({ id: 'q:1' });
    expect(routes.match('POST', '/v1/search/q1')).toBeNull();
    expect(routes.match('GET', '/v1/search')).toBeNull();
    expect(() =>
      routes.add({ method: 'GET', path: '/v1/search/{id}', functionName: 'x', handler: ok }),
    ).toThrow(/already registered/);
  });
});

describe('local server (in process)', () => {
  let dataDir: string;
  let runtime: LocalRuntime;
  let app: Hono;
  let admin: string;
  let ingest: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-server-'));
    runtime = await createLocalRuntime({
      dataDir,
      background: false,
      logLevel: 'SILENT',
      maxReceiveCount: 1,
    });
    app = createApp(defaultRoutes(runtime), runtime);
    const keys = await runtime.keys.load();
    admin = await signToken(keys, { tenantId: null, scope: 'admin', ttlSeconds: 60 });
    ingest = await signToken(keys, { tenantId: 'acme-corp', scope: 'ingest', sub: 'pc-001', ttlSeconds: 60 });
  });
  afterAll(async () => {
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const flush = (token?: string) =>
    app.request('http://127.0.0.1/v1/admin/flush', {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('answers 404 not_found for an unknown route', async () => {
    const res = await app.request('http://127.0.0.1/v1/nothing', { method: 'GET' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('guards the admin flush: 401 without a token, 403 with a token of another scope', async () => {
    expect((await flush()).status).toBe(401);
    const forbidden = await flush(ingest);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('refuses a body over 6 MB as the function URL does', async () => {
    const res = await app.request('http://127.0.0.1/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' },
      body: 'x'.repeat(6 * 1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('ingests, then flush drains the queue through split and writes the lake, answering counts', async () => {
    const body = JSON.stringify({
      batchId: 'b-1',
      events: [
        { eventId: 'e-1', type: 'app', ts: '2026-11-24T09:00:00+09:00', app: 'excel.exe' },
        { eventId: 'e-2', type: 'app', ts: '2026-11-25T09:00:00+09:00', app: 'excel.exe' },
      ],
    });
    const accepted = await app.request('http://127.0.0.1/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' },
      body,
    });
    expect(accepted.status).toBe(202);
    expect((await runtime.depth()).ready).toBe(1);

    const res = await flush(admin);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ batches: 1, events: 2, objects: 2 });
    expect(await runtime.depth()).toEqual({ ready: 0, inflight: 0, dlq: 0 });
  });

  it('reports a batch split cannot process, which the queue dead-letters after its receives', async () => {
    await runtime.queue.send({ body: '{"not":"a batch"}', groupId: 'acme-corp' });
    const res = await flush(admin);
    expect(await res.json()).toEqual({ batches: 0, events: 0, objects: 0, failed: 1, deadLetters: 1 });
    const [dead] = await runtime.queue.deadLetters();
    expect(dead).toMatchObject({ body: '{"not":"a batch"}', receiveCount: 1 });
  });
});
