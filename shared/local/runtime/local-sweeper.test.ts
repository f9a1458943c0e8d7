/** The dev server's sweeper timer: a dead letter is archived without anyone asking. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { readArchive } from '../../dlq/archive.js';
import { createLocalRuntime } from './runtime.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('local runtime sweeper timer', () => {
  it('sweeps on its interval: the split worker dead-letters a poison batch, the timer archives it', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'oplake-sweep-timer-'));
    dirs.push(dataDir);
    const runtime = await createLocalRuntime({
      dataDir,
      logLevel: 'SILENT',
      maxReceiveCount: 1,
      splitPollIntervalMs: 20,
      streamFlushIntervalMs: 0,
      sweepIntervalMs: 100,
    });
    try {
      // Act
      await runtime.queue.send({ body: '{"not":"a batch"}', groupId: 'acme-corp' });
      const archived = [];
      for (let waited = 0; archived.length === 0 && waited < 20_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        for await (const record of readArchive(runtime.store)) archived.push(record);
      }
      // Assess
      expect(archived.map((r) => [r.source, r.body])).toEqual([['batches', '{"not":"a batch"}']]);
      expect((await runtime.depth()).dlq).toBe(0);
    } finally {
      await runtime.close();
    }
  });
});
