/** `oplake sweep` and `oplake dlq list|show`, in process over a data directory (no server). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DiskQueue } from '../../adapters/local/disk-queue.js';
import { cli, closedPort } from '../test-kit.js';

describe('oplake sweep, oplake dlq', () => {
  let dataDir: string;
  let url: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-cli-sweep-'));
    url = `http://127.0.0.1:${await closedPort()}`;
    // A dead letter as the runtime's queue leaves it: received and failed maxReceiveCount (5) times.
    const queue = new DiskQueue(join(dataDir, 'queue', 'batches'));
    await queue.send({ body: '{"not":"a batch"}', groupId: 'acme-corp' });
    for (let i = 0; i < 5; i++) {
      const [m] = await queue.receive(1);
      await queue.nack(
        m?.receiptHandle ?? '',
        Object.assign(new Error('bad envelope'), { name: 'BatchMessageError' }),
      );
    }
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers --help with exit code 0', async () => {
    for (const args of [
      ['sweep', '--help'],
      ['dlq', '--help'],
      ['dlq', 'list', '--help'],
      ['dlq', 'show', '--help'],
    ]) {
      const result = await cli(args);
      expect(result.code).toBe(0);
      expect(result.out.join('\n')).toMatch(/Usage: oplake/);
    }
  });

  it('--dry-run reports without changing anything; then the sweep archives; dlq list and show read it', async () => {
    // Act
    const dry = await cli(['sweep', '--dry-run', '--url', url, '--data-dir', dataDir]);
    const listedBefore = await cli(['dlq', 'list', '--data-dir', dataDir]);
    const real = await cli(['sweep', '--url', url, '--data-dir', dataDir]);
    const listed = await cli(['dlq', 'list', '--source', 'batches', '--data-dir', dataDir]);

    // Assess
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out[0] ?? '')).toMatchObject({ dryRun: true, archived: 1, alerts: 1 });
    expect(dry.err.join('\n')).toMatch(/running in process/);
    expect(listedBefore.out).toEqual([]);
    expect(real.code).toBe(0);
    expect(JSON.parse(real.out[0] ?? '')).toMatchObject({
      dryRun: false,
      archived: 1,
      sources: { batches: { permanent: 1 } },
    });
    expect(listed.code).toBe(0);
    expect(listed.out).toHaveLength(1);
    const line = JSON.parse(listed.out[0] ?? '') as Record<string, unknown>;
    expect(line).toMatchObject({
      source: 'batches',
      class: 'permanent',
      errorClass: 'BatchMessageError',
      attempts: 5,
    });
    expect(line.body).toBeUndefined();

    const shown = await cli(['dlq', 'show', String(line.id), '--data-dir', dataDir]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out.join('\n'))).toMatchObject({ id: line.id, body: '{"not":"a batch"}' });
  });

  it('fails with exit code 1 for an unknown id, a bad date or a bad source', async () => {
    expect((await cli(['dlq', 'show', 'no-such-id', '--data-dir', dataDir])).code).toBe(1);
    expect((await cli(['dlq', 'list', '--from', '30/11/2026', '--data-dir', dataDir])).code).toBe(1);
    expect((await cli(['dlq', 'list', '--source', '../etc', '--data-dir', dataDir])).code).toBe(1);
  });
});
