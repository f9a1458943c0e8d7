/**
 * The background in a worker thread (the server's mode): batches accepted on the request thread
 * reach the lake through the thread; a thread that dies is replaced and loses nothing; close
 * writes what is buffered and frees the data directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { dedup, pendingFiles, rawEvents } from '../../../test/e2e/local-server.js';
import { signToken } from '../../auth/tokens.js';
import { UnavailableError } from '../../errors.js';
import { functionUrlEvent } from '../server/http-event.js';
import { startBackgroundThread } from './background-client.js';
import { lambdaContext } from './lambda-context.js';
import { createLocalRuntime, type LocalRuntime } from './runtime.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'oplake-thread-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function post(runtime: LocalRuntime, token: string, batchId: string, events: number): Promise<number> {
  const body = JSON.stringify({
    batchId,
    events: Array.from({ length: events }, (_, i) => ({
      eventId: `${batchId}-e${i}`,
      type: 'app',
      ts: '2026-11-24T09:00:00+09:00',
      app: 'excel.exe',
    })),
  });
  const event = functionUrlEvent({
    method: 'POST',
    path: '/v1/events',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  const result = await runtime.ingest(event, lambdaContext('ingest'));
  return result.statusCode ?? 0;
}

async function ingestToken(runtime: LocalRuntime): Promise<string> {
  return signToken(await runtime.keys.load(), {
    tenantId: 'acme-corp',
    scope: 'ingest',
    sub: 'pc-001',
    ttlSeconds: 600,
  });
}

describe('local runtime with its background in a worker thread', () => {
  it('splits what ingest accepted into the lake, on its own loop, and closes cleanly', async () => {
    const runtime = await createLocalRuntime({
      dataDir,
      logLevel: 'SILENT',
      backgroundThread: true,
      splitPollIntervalMs: 20,
      streamFlushIntervalMs: 0,
    });
    const token = await ingestToken(runtime);
    for (let b = 0; b < 5; b++) expect(await post(runtime, token, `b-${b}`, 20)).toBe(202);
    // The thread's loop takes the batches off the queue by itself (no flush asked).
    for (let i = 0; i < 200 && (await runtime.depth()).ready + (await runtime.depth()).inflight > 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(await runtime.depth()).toEqual({ ready: 0, inflight: 0, dlq: 0 });

    const summary = await runtime.flush();
    expect(summary).toMatchObject({ failed: 0, deadLetters: 0, events: 100 });
    const stored = await rawEvents(dataDir, 'acme-corp');
    expect(stored).toHaveLength(100);
    expect(dedup(stored).size).toBe(100);

    expect(await post(runtime, token, 'b-last', 3)).toBe(202);
    await runtime.close();
    // Close wrote the stream buffers (or left the batch queued): nothing pending is lost; the
    // directory is free for the next process.
    const again = await createLocalRuntime({ dataDir, logLevel: 'SILENT', backgroundThread: true });
    await again.flush();
    await again.close();
    expect(dedup(await rawEvents(dataDir, 'acme-corp')).size).toBe(103);
    expect(await pendingFiles(dataDir)).toEqual({ queued: 0, buffers: 0 });
  });

  it('starts a new thread when the thread dies: waiting calls get 503, no accepted batch is lost', async () => {
    const runtime = await createLocalRuntime({
      dataDir,
      logLevel: 'SILENT',
      background: false,
      streamFlushIntervalMs: 0,
    });
    const token = await ingestToken(runtime);
    for (let b = 0; b < 30; b++) expect(await post(runtime, token, `b-${b}`, 50)).toBe(202);
    await runtime.close();

    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const thread = await startBackgroundThread(
      { dataDir, logLevel: 'SILENT', loop: false, streamFlushIntervalMs: 0, splitBatchSize: 1 },
      logger,
      50,
    );
    // A flush in progress when the thread is killed: it fails as unavailable (retrying is safe).
    const interrupted = thread.flush();
    await new Promise((r) => setTimeout(r, 150));
    await thread.kill();
    await expect(interrupted).rejects.toBeInstanceOf(UnavailableError);
    expect(thread.restarts).toBe(1);
    expect(warnings).toContain('the background thread stopped; starting a new one');

    // The new thread takes back what the dead one had received, and delivers its buffers.
    const summary = await thread.flush();
    expect(summary).toMatchObject({ failed: 0, deadLetters: 0 });
    await thread.close();
    const stored = await rawEvents(dataDir, 'acme-corp');
    expect(dedup(stored).size).toBe(1500); // every accepted event, at least once
    expect(await pendingFiles(dataDir)).toEqual({ queued: 0, buffers: 0 });
  });

  it('refuses a custom clock, which a thread cannot share', async () => {
    await expect(
      createLocalRuntime({
        dataDir,
        logLevel: 'SILENT',
        backgroundThread: true,
        clock: { now: () => new Date(0) },
      }),
    ).rejects.toThrow(/system clock/);
  });
});
