/**
 * A crash while batches are being accepted, then a restart: the local runtime settles the
 * in-progress idempotency records at start, so the agents' retries are answered at once
 * (replayed from the queue, or accepted anew) instead of 503 for the in-progress expiry.
 * The crash is a child process running the ingest handler over the data directory, killed (-9)
 * before or after the batch is on the queue; the restart is a real local runtime over it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DiskQueue } from '../../shared/adapters/local/disk-queue.js';
import { FileIdempotencyStore } from '../../shared/adapters/local/file-idempotency-store.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { FileKeySetSource } from '../../shared/auth/file-key-set.js';
import { signToken } from '../../shared/auth/tokens.js';
import { RateLimiter } from '../../shared/ingest/rate-limiter.js';
import { createLocalRuntime, type LocalRuntime } from '../../shared/local/runtime/runtime.js';
import { createObservability } from '../../shared/observability/index.js';
import { systemClock } from '../../shared/ports/clock.js';
import { REPO_ROOT } from '../../test/e2e/local-server.js';
import { createIngestHandler } from './create-handler.js';
import { DEFAULT_INGEST_CONFIG } from './ingest.js';
import { appEvent, jsonBatch, lambdaContext, urlEvent } from './test-kit.js';

type Crash = 'before-queue' | 'after-queue';

/** Accepts `body` in a child process that is killed (-9) before or after the batch is queued. */
async function interruptedAccept(dataDir: string, body: string, token: string, crash: Crash): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/interrupted-accept.ts', dataDir, crash],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_OPTIONS: '', OPLAKE_TEST_TOKEN: token },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  child.stdin.end(body);
  let out = '';
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no crash point within 30 s: ${out}`)), 30_000);
    const collect = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('crash-point')) {
        clearTimeout(timer);
        done();
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => fail(new Error(`exited with ${code} before the crash point: ${out}`)));
  });
  const exited = new Promise((done) => child.on('exit', done));
  child.kill('SIGKILL');
  await exited;
}

describe('restart after a crash during accept (local mode)', () => {
  let dataDir: string;
  let runtime: LocalRuntime | undefined;
  let token: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-settle-'));
    token = await signToken(await new FileKeySetSource(dataDir).load(), {
      tenantId: 'acme-corp',
      scope: 'ingest',
      sub: 'pc-001',
      ttlSeconds: 3600,
    });
  });
  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  async function retry(body: string): Promise<{ status: number; body: string }> {
    if (!runtime) throw new Error('no runtime');
    const answer = await runtime.ingest(urlEvent(body, { token }), lambdaContext());
    return { status: answer.statusCode ?? 0, body: typeof answer.body === 'string' ? answer.body : '' };
  }

  it('without settling, the retry of an interrupted batch answers 503 (the defect)', async () => {
    const body = jsonBatch('b-1', [appEvent(1)]);
    await interruptedAccept(dataDir, body, token, 'before-queue');
    const second = createIngestHandler({
      keys: new FileKeySetSource(dataDir),
      queue: new DiskQueue(join(dataDir, 'queue', 'batches')),
      store: new FileObjectStore(join(dataDir, 'lake')),
      idempotency: new FileIdempotencyStore(join(dataDir, 'idempotency')),
      limiter: new RateLimiter({ limits: { default: { eventsPerSecond: 1e6, bytesPerSecond: 1e9 } } }),
      clock: systemClock,
      obs: createObservability('ingest', { local: true, logLevel: 'SILENT' }),
      config: DEFAULT_INGEST_CONFIG,
    });
    const answer = await second(urlEvent(body, { token }), lambdaContext());
    expect(answer.statusCode).toBe(503);
  });

  it('a batch already on the queue is replayed at once and queued only once', async () => {
    const body = jsonBatch('b-queued', [appEvent(1), appEvent(2), { type: 'app', ts: 'not a time' }]);
    await interruptedAccept(dataDir, body, token, 'after-queue');
    runtime = await createLocalRuntime({ dataDir, background: false, logLevel: 'SILENT' });

    const answer = await retry(body);

    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.body)).toMatchObject({ batchId: 'b-queued', accepted: 2, rejected: 1 });
    expect((await runtime.depth()).ready).toBe(1);
    expect(await retry(body)).toEqual(answer); // and stays a replay
    const flushed = await runtime.flush();
    expect(flushed.delivered).toBe(2);
  });

  it('a batch that never reached the queue is accepted at once', async () => {
    const body = jsonBatch('b-lost', [appEvent(1), appEvent(2), appEvent(3)]);
    await interruptedAccept(dataDir, body, token, 'before-queue');
    runtime = await createLocalRuntime({ dataDir, background: false, logLevel: 'SILENT' });
    expect((await runtime.depth()).ready).toBe(0);

    const answer = await retry(body);

    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.body)).toMatchObject({ batchId: 'b-lost', accepted: 3, rejected: 0 });
    expect((await runtime.depth()).ready).toBe(1);
  });

  it('keeps the payload check: a different payload under an interrupted batch id is still a conflict', async () => {
    await interruptedAccept(dataDir, jsonBatch('b-x', [appEvent(1)]), token, 'after-queue');
    runtime = await createLocalRuntime({ dataDir, background: false, logLevel: 'SILENT' });
    const answer = await retry(jsonBatch('b-x', [appEvent(9)]));
    expect(answer.status).toBe(409);
    expect((await runtime.depth()).ready).toBe(1);
  });
});
