/** POST /v1/admin/sweep in local mode: admin scope only, dry run, and the summary it answers. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Hono } from 'hono';
import { signToken } from '../../auth/tokens.js';
import { createLocalRuntime, type LocalRuntime } from '../runtime/runtime.js';
import { RouteTable } from './routes.js';
import { createApp } from './server.js';
import { sweepRoutes } from './sweep-routes.js';

describe('POST /v1/admin/sweep', () => {
  let dataDir: string;
  let runtime: LocalRuntime;
  let app: Hono;
  let admin: string;
  let search: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-sweep-route-'));
    runtime = await createLocalRuntime({
      dataDir,
      background: false,
      logLevel: 'SILENT',
      maxReceiveCount: 1,
    });
    const routes = new RouteTable();
    sweepRoutes(routes, runtime);
    app = createApp(routes, runtime);
    const keys = await runtime.keys.load();
    admin = await signToken(keys, { tenantId: null, scope: 'admin', ttlSeconds: 60 });
    search = await signToken(keys, { tenantId: 'acme-corp', scope: 'search', ttlSeconds: 60 });
  });
  afterAll(async () => {
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const sweep = (token: string | undefined, body?: string) =>
    app.request('http://127.0.0.1/v1/admin/sweep', {
      method: 'POST',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    });

  it('answers 401 without a token, 403 with another scope, 400 for a bad body', async () => {
    expect((await sweep(undefined)).status).toBe(401);
    const forbidden = await sweep(search);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: { code: 'forbidden' } });
    const bad = await sweep(admin, '{"dryRun": "yes"}');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('dry-runs, then sweeps a dead letter split could not process: archived, one alert, summary per source', async () => {
    // Prepare: a message split cannot parse, dead-lettered by a flush (maxReceiveCount 1).
    await runtime.queue.send({ body: '{"not":"a batch"}', groupId: 'acme-corp' });
    await runtime.flush();
    expect((await runtime.depth()).dlq).toBe(1);

    // Act
    const dry = await sweep(admin, '{"dryRun": true}');
    const real = await sweep(admin);

    // Assess
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ dryRun: true, archived: 1, alerts: 1 });
    expect(real.status).toBe(200);
    const summary = (await real.json()) as Record<string, unknown>;
    expect(summary).toMatchObject({
      dryRun: false,
      redriven: 0,
      archived: 1,
      alerts: 1,
      sources: {
        batches: { seen: 1, permanent: 1, archived: 1, errors: [] },
        firehose: { seen: 0, errors: [] },
      },
    });
    expect((await runtime.depth()).dlq).toBe(0);
    const alerts = (await readFile(join(dataDir, 'alerts', 'alerts.jsonl'), 'utf8')).trim().split('\n');
    expect(alerts.map((line) => (JSON.parse(line) as { rule: string }).rule)).toEqual(['permanent_failures']);
  });
});
