/**
 * The dev server (a child process) under hostile transport (docs/security.md D1-D3): a burst of
 * 50 concurrent 6 MB bodies (valid batches, garbage, gzip bombs) keeps its memory bounded and
 * every answer in the contract; lying Content-Length values, a chunked upload past the limit and
 * a client that stops sending mid-body do not take it down; afterwards it still accepts a batch.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FileKeySetSource } from '../../shared/auth/file-key-set.js';
import { signToken } from '../../shared/auth/tokens.js';
import { freePort, type ServerProcess, startServer, stopServer } from '../e2e/local-server.js';

const MB = 1024 * 1024;

async function peakRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
  return kb * 1024;
}

/** Sends raw bytes on a fresh connection and answers what came back before the server closed it or `ms` passed. */
function raw(port: number, bytes: Buffer, ms = 5000, endAfterSend = true): Promise<string> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const finish = () => {
      socket.destroy();
      done(answer);
    };
    const timer = setTimeout(finish, ms);
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      done(answer);
    });
    socket.on('error', () => undefined);
    socket.write(bytes, () => {
      if (endAfterSend) socket.end();
    });
  });
}

describe('dev server under hostile transport and a burst of large bodies', () => {
  let dataDir: string;
  let server: ServerProcess;
  let port: number;
  let token: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-load-'));
    port = await freePort();
    server = await startServer(dataDir, port, 60_000, { OPLAKE_LOG_LEVEL: 'ERROR' });
    token = await signToken(await new FileKeySetSource(dataDir).load(), {
      tenantId: 'acme-corp',
      scope: 'ingest',
      sub: 'pc-load',
      ttlSeconds: 3600,
    });
  });
  afterAll(async () => {
    await stopServer(server, 'SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  });

  const smallBatch = (id: string) =>
    fetch(`${server.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        batchId: id,
        events: [{ type: 'app', ts: '2026-11-24T00:00:00Z', app: 'a.exe' }],
      }),
    });

  it('keeps memory bounded under 50 concurrent 6 MB bodies and answers each within the contract', async () => {
    const pid = server.child.pid ?? 0;
    const before = await peakRssBytes(pid);
    const title = 'x'.repeat(1000);
    const event = JSON.stringify({ type: 'app', ts: '2026-11-24T00:00:00Z', app: 'a.exe', title });
    const perBatch = Math.floor((6 * MB - 100) / (event.length + 1));
    const valid = (i: number) =>
      Buffer.from(
        `{"batchId":"big-${i}","events":[${Array.from({ length: Math.min(perBatch, 5000) }, () => event).join(',')}]}`,
      );
    const garbage = Buffer.alloc(6 * MB - 1, 0x7b); // '{' x 6 MB
    const bomb = gzipSync(Buffer.alloc(200 * MB, 0x20), { level: 9 });
    const none: Record<string, string> = {};
    const bodies: { body: Buffer; headers: Record<string, string> }[] = Array.from({ length: 50 }, (_, i) =>
      i % 3 === 0
        ? { body: valid(i), headers: none }
        : i % 3 === 1
          ? { body: garbage, headers: none }
          : { body: bomb, headers: { 'content-encoding': 'gzip' } },
    );
    expect(Math.min(...bodies.map((b) => b.body.length))).toBeGreaterThan(100_000);

    // A kept-alive connection the server closes as it is reused fails the write (EPIPE); a client
    // sends again, as agents do. The server's own faults show as a 5xx or as it going down.
    let resent = 0;
    const send = async ({ body, headers }: (typeof bodies)[number], attempt = 0): Promise<number> => {
      try {
        const res = await fetch(`${server.url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
          body,
          signal: AbortSignal.timeout(120_000),
        });
        await res.arrayBuffer();
        return res.status;
      } catch (error) {
        if (attempt > 0 || server.child.exitCode !== null || server.child.signalCode !== null) throw error;
        resent++;
        return send({ body, headers }, attempt + 1);
      }
    };
    const answers = await Promise.all(bodies.map((b) => send(b)));
    const peak = await peakRssBytes(pid);

    for (const status of answers) expect([202, 400, 413, 429]).toContain(status);
    expect(answers.filter((s) => s === 202 || s === 429).length).toBeGreaterThan(0);
    process.stdout.write(
      `burst of 50 bodies (resent after a closed connection: ${resent}; ${Math.round(bodies.reduce((s, b) => s + b.body.length, 0) / MB)} MB sent): peak RSS ${Math.round(peak / MB)} MB (${Math.round(before / MB)} MB before); answers ${JSON.stringify(
        answers.reduce<Record<number, number>>((acc, s) => {
          acc[s] = (acc[s] ?? 0) + 1;
          return acc;
        }, {}),
      )}\n`,
    );
    expect(peak).toBeLessThan(1536 * MB);
    expect((await smallBatch('after-burst')).status).toBe(202);
  }, 180_000);

  it('survives lying Content-Length values, an oversize chunked upload and a stalled body', async () => {
    const head = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
    const base = [
      'POST /v1/events HTTP/1.1',
      'Host: 127.0.0.1',
      `Authorization: Bearer ${token}`,
      'Content-Type: application/json',
    ];
    const body = JSON.stringify({
      batchId: 'lie-1',
      events: [{ type: 'app', ts: '2026-11-24T00:00:00Z', app: 'a.exe' }],
    });

    const shorter = await raw(
      port,
      Buffer.concat([head([...base, 'Content-Length: 10']), Buffer.from(body)]),
    );
    expect(shorter).toMatch(/^HTTP\/1\.1 400/);

    const declaredHuge = await raw(
      port,
      Buffer.concat([head([...base, `Content-Length: ${7 * MB}`]), Buffer.from(body)]),
    );
    expect(declaredHuge).toMatch(/^HTTP\/1\.1 413/);

    const chunk = Buffer.alloc(MB, 0x20);
    const chunked = Buffer.concat([
      head([...base, 'Transfer-Encoding: chunked']),
      ...Array.from({ length: 8 }, () =>
        Buffer.concat([Buffer.from(`${MB.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
      ),
      Buffer.from('0\r\n\r\n'),
    ]);
    const chunkedAnswer = await raw(port, chunked, 10_000);
    expect(chunkedAnswer).toMatch(/^HTTP\/1\.1 413/);

    // A client that declares 1,000 bytes, sends 10 and goes quiet: others are served meanwhile.
    const stalled = raw(
      port,
      Buffer.concat([head([...base, 'Content-Length: 1000']), Buffer.from(body.slice(0, 10))]),
      3000,
      false,
    );
    expect((await smallBatch('during-stall')).status).toBe(202);
    await stalled;

    const conflicting = await raw(
      port,
      Buffer.concat([
        head([...base, 'Content-Length: 5', 'Transfer-Encoding: chunked']),
        Buffer.from('0\r\n\r\n'),
      ]),
    );
    expect(conflicting).toMatch(/^HTTP\/1\.1 400/);

    expect(server.child.exitCode).toBeNull();
    expect((await smallBatch('after-lies')).status).toBe(202);
  }, 120_000);
});
