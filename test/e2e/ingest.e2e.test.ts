/**
 * End to end, through the real dev server (`make dev`'s entry) as a child process: tokens from
 * the CLI, JSON / NDJSON / gzip batches over HTTP, `oplake flush`, then the lake's raw objects
 * read back; and a kill -9 between the 202 and the flush, with a restart on the same data dir.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { positionalEventId } from '../../shared/domain/ids.js';
import { dayPlus, utcDay } from '../fixtures/dates.js';
import {
  dedup,
  freePort,
  pendingFiles,
  rawEvents,
  runCli,
  type ServerProcess,
  startServer,
  stopServer,
} from './local-server.js';

// Days a week back and on (the server keeps the wall clock): D1 is the batches' day, D0 the UTC day
// before it (08:16+09:00 on D1 is D0 in UTC), D2 and D3 the days after.
const D1 = utcDay(-7);
const D0 = dayPlus(D1, -1);
const D2 = dayPlus(D1, 1);
const D3 = dayPlus(D1, 2);
const TENANT = 'acme-corp';
const TIMEOUT = 15_000;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

async function post(
  url: string,
  token: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...headers },
    body,
    signal: AbortSignal.timeout(TIMEOUT),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

describe('local mode, end to end', () => {
  let dataDir: string;
  let port: number;
  let server: ServerProcess | undefined;
  let ingestToken: string; // device pc-001
  let shipperToken: string; // no device: NDJSON from a log shipper

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-e2e-'));
    port = await freePort();
    server = await startServer(dataDir, port);
    const minted = await runCli([
      'token',
      '--tenant',
      TENANT,
      '--scope',
      'ingest',
      '--device',
      'pc-001',
      '--data-dir',
      dataDir,
    ]);
    expect(minted).toMatchObject({ code: 0, stderr: '' });
    ingestToken = minted.stdout.trim();
    shipperToken = (
      await runCli(['token', '--tenant', TENANT, '--scope', 'ingest', '--data-dir', dataDir])
    ).stdout.trim();
  }, 60_000);

  afterAll(async () => {
    if (server) await stopServer(server, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  const events = () => `${server?.url}/v1/events`;

  const jsonBatch = {
    batchId: 'b-000123',
    deviceId: 'pc-001',
    events: [
      {
        eventId: 'e-1',
        type: 'app',
        ts: `${D1}T09:15:02.123+09:00`,
        user: 'yamada',
        host: 'PC-001',
        app: 'excel.exe',
        title: 'budget.xlsx',
        durationMs: 61000,
      },
      {
        type: 'web',
        ts: `${D1}T08:16:00+09:00`,
        user: 'yamada',
        url: 'https://Intra.Example.co.jp/wiki?q=1',
        title: 'Wiki',
        browser: 'chrome',
      },
      { type: 'file', ts: `${D1}T09:20:00+09:00` }, // invalid: no path, no op
      { eventId: 'e-4', type: 'logon', ts: `${D1}T09:30:00Z`, op: 'lock' },
    ],
  };

  it('accepts a JSON batch: 202 with accepted and rejected counts and the reasons', async () => {
    const answer = await post(events(), ingestToken, JSON.stringify(jsonBatch), {
      'content-type': 'application/json',
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ batchId: 'b-000123', accepted: 3, rejected: 1 });
    expect((answer.body.errors as { index: number }[])[0]?.index).toBe(2);
  });

  it('answers a replayed batch with the first answer and stores nothing twice', async () => {
    const answer = await post(events(), ingestToken, JSON.stringify(jsonBatch), {
      'content-type': 'application/json',
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ batchId: 'b-000123', accepted: 3, rejected: 1 });
  });

  it('accepts a gzip NDJSON body from a shipper (device from X-Device-Id), twice, as shippers retry', async () => {
    const lines = [
      { type: 'app', ts: `${D1}T10:00:00+09:00`, app: 'Teams.exe' },
      { type: 'web', ts: `${D1}T10:01:00+09:00`, url: 'http://NEWS.example.com/a' },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n');
    const body = gzipSync(Buffer.from(`${lines}\n`));
    const headers = {
      'content-type': 'application/x-ndjson',
      'content-encoding': 'gzip',
      'x-device-id': 'pc-002',
    };
    for (let i = 0; i < 2; i++) {
      const answer = await post(events(), shipperToken, body, headers);
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ accepted: 2, rejected: 0 });
    }
  });

  it('accepts a plain NDJSON body with an Idempotency-Key, and answers its replay without storing it again', async () => {
    const body = `${JSON.stringify({ eventId: 'nd-1', type: 'print', ts: `${D1}T11:00:00+09:00`, printer: 'p1' })}\n`;
    const headers = { 'content-type': 'application/x-ndjson', 'idempotency-key': 'nd-batch-1' };
    const first = await post(events(), ingestToken, body, headers);
    const replay = await post(events(), ingestToken, body, headers);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ batchId: 'nd-batch-1', accepted: 1, rejected: 0 });
    expect(replay.status).toBe(202);
    expect(replay.text).toBe(first.text);
  });

  it('answers 422 when no event is valid, and 401 without a token', async () => {
    const bad = await post(
      events(),
      ingestToken,
      JSON.stringify({ batchId: 'b-bad', events: [{ type: 'app' }] }),
      {
        'content-type': 'application/json',
      },
    );
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ error: { code: 'no_valid_events' } });
    const res = await fetch(events(), { method: 'POST', body: '{}', signal: AbortSignal.timeout(TIMEOUT) });
    expect(res.status).toBe(401);
  });

  it('oplake flush makes every accepted event visible in raw/, normalised, once', async () => {
    // Act
    const flushed = await runCli(['flush', '--url', server?.url ?? '', '--data-dir', dataDir]);

    // Assess
    expect(flushed.code).toBe(0);
    const summary = JSON.parse(flushed.stdout) as { batches: number; events: number; objects: number };
    // The JSON batch once, the shipper's chunk twice (deduplicated by readers), the keyed NDJSON once.
    expect(summary.events).toBe(3 + 2 + 2 + 1);
    expect(summary.objects).toBeGreaterThanOrEqual(2); // two days: D0 and D1

    const stored = await rawEvents(dataDir, TENANT);
    expect(stored).toHaveLength(8);
    const unique = dedup(stored);
    expect(unique.size).toBe(6);
    expect(unique.get('pc-001/nd-1')).toMatchObject({ type: 'print', batch_id: 'nd-batch-1' });

    const e1 = unique.get('pc-001/e-1');
    expect(e1).toMatchObject({
      tenant_id: TENANT,
      dt: D1,
      ts: `${D1}T00:15:02.123Z`,
      type: 'app',
      app: 'excel.exe',
      duration_ms: 61000,
      batch_id: 'b-000123',
    });
    expect(e1?._object.startsWith(`dt=${D1}/`)).toBe(true);

    // The web event without an id: derived from batch id and position; UTC date of 08:16+09:00 is the 23rd.
    const webId = positionalEventId(TENANT, 'pc-001', 'b-000123', 1);
    const web = unique.get(`pc-001/${webId}`);
    expect(web).toMatchObject({
      dt: D0,
      ts: `${D0}T23:16:00.000Z`,
      domain: 'intra.example.co.jp',
    });
    expect(JSON.parse(web?.attrs ?? 'null')).toEqual({ browser: 'chrome' });
    expect(web?._object.startsWith(`dt=${D0}/`)).toBe(true);

    expect(unique.get('pc-001/e-4')).toMatchObject({ ts: `${D1}T09:30:00.000Z`, op: 'lock' });

    const shipped = [...unique.values()].filter((e) => e.device_id === 'pc-002');
    expect(shipped).toHaveLength(2);
    expect(shipped.every((e) => e.event_id.startsWith('c-'))).toBe(true);
    expect(shipped.find((e) => e.type === 'web')?.domain).toBe('news.example.com');
  });

  it('keeps invalid events under rejects/ with their reasons', async () => {
    const dir = join(dataDir, 'lake', 'rejects', `tenant_id=${TENANT}`);
    const files: string[] = [];
    for (const day of await readdir(dir))
      for (const f of await readdir(join(dir, day))) files.push(join(dir, day, f));
    const all = await Promise.all(
      files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as Record<string, unknown>),
    );
    const ofBatch = all.find((r) => r.batchId === 'b-000123') as {
      rejects: { index: number; reason: string; event: unknown }[];
    };
    expect(ofBatch.rejects).toHaveLength(1);
    expect(ofBatch.rejects[0]).toMatchObject({ index: 2, event: { type: 'file' } });
    expect(ofBatch.rejects[0]?.reason).toMatch(/path|op/);
    expect(all.find((r) => r.batchId === 'b-bad')).toBeDefined();
  });

  it('a second flush has nothing left to do', async () => {
    const flushed = await runCli(['flush', '--url', server?.url ?? '', '--data-dir', dataDir]);
    expect(flushed.code).toBe(0);
    expect(JSON.parse(flushed.stdout)).toMatchObject({ batches: 0, events: 0, objects: 0 });
  });

  it('loses nothing when the server is killed (-9) between the 202 and the flush', async () => {
    // Prepare: 20 batches of 50 events each, all answered 202
    const accepted = new Set<string>();
    for (let b = 0; b < 20; b++) {
      const batch = {
        batchId: `crash-${b}`,
        events: Array.from({ length: 50 }, (_, i) => ({
          eventId: `crash-${b}-${i}`,
          type: 'app',
          ts: `${D2}T0${i % 10}:00:00+09:00`,
          app: 'word.exe',
        })),
      };
      const answer = await post(events(), ingestToken, JSON.stringify(batch), {
        'content-type': 'application/json',
      });
      expect(answer.status).toBe(202);
      for (const e of batch.events) accepted.add(`pc-001/${e.eventId}`);
    }

    // Act: kill -9 right after the last 202, restart on the same data dir, flush
    if (server) expect(await stopServer(server, 'SIGKILL')).toBe('SIGKILL');
    // Nothing of it reached the lake yet (no periodic flush): it all sits in the queue or in
    // stream buffers, which the restarted server must recover.
    expect((await rawEvents(dataDir, TENANT)).filter((e) => e.event_id.startsWith('crash-'))).toEqual([]);
    const pending = await pendingFiles(dataDir);
    expect(pending.queued + pending.buffers).toBeGreaterThan(0);
    server = await startServer(dataDir, port);
    const flushed = await runCli(['flush', '--url', server.url, '--data-dir', dataDir]);
    expect(flushed.code).toBe(0);

    // Assess: every accepted event exactly once after dedup, and no crash event from nowhere
    const unique = dedup((await rawEvents(dataDir, TENANT)).filter((e) => e.event_id.startsWith('crash-')));
    expect(unique.size).toBe(accepted.size);
    for (const key of accepted) expect(unique.has(key)).toBe(true);
  });

  it('refuses to run in process over a data directory a live server owns', async () => {
    const elsewhere = await freePort();
    const result = await runCli(['flush', '--url', `http://127.0.0.1:${elsewhere}`, '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/in use by process \d+/);
  });

  it('a graceful stop (SIGTERM) writes the buffers to the lake before exiting', async () => {
    const batch = {
      batchId: 'term-1',
      events: [{ eventId: 'term-e1', type: 'app', ts: `${D3}T09:00:00+09:00`, app: 'x.exe' }],
    };
    expect(
      (await post(events(), ingestToken, JSON.stringify(batch), { 'content-type': 'application/json' }))
        .status,
    ).toBe(202);
    // Give the split worker a moment to move the batch into a stream buffer (it polls every 200 ms).
    await new Promise((r) => setTimeout(r, 1000));
    if (server) expect(await stopServer(server, 'SIGTERM')).toBe('0');
    server = undefined;
    const after = (await rawEvents(dataDir, TENANT)).filter((e) => e.event_id === 'term-e1');
    expect(after).toHaveLength(1);
  });

  it('oplake flush runs in process when no server answers', async () => {
    const flushed = await runCli(['flush', '--url', `http://127.0.0.1:${port}`, '--data-dir', dataDir]);
    expect(flushed.code).toBe(0);
    expect(flushed.stderr).toMatch(/running in process/);
    expect(JSON.parse(flushed.stdout)).toMatchObject({ batches: 0, events: 0, objects: 0 });
  });
});
