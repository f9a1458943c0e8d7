/**
 * dlq-sweeper: dead letters per second for one sweep of 1,000 transient letters in the local disk
 * queue's DLQ (read each failure record, classify, count the redrive in the record, move the letter
 * back), against the engine asked directly: DiskQueue.redrive(), which moves every dead letter
 * back at once with no classification, no counter and no archive. Same folder layout, same run.
 * Only the sweep is timed; filling the DLQ is not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DiskDeadLetters } from '../../shared/adapters/local/disk-dead-letters.js';
import { DiskQueue } from '../../shared/adapters/local/disk-queue.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { recordFailure } from '../../shared/dlq/failure-record.js';
import { DEFAULT_SWEEP_CONFIG, sweep } from '../../shared/dlq/sweep.js';
import { type CaseResult, compare, type Round } from './harness.js';

const LETTERS = 1000;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function deadLetters(): Promise<{ dir: string; queue: DiskQueue; store: FileObjectStore }> {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-bench-dlq-'));
  const queue = new DiskQueue(join(dir, 'queue'), { maxReceiveCount: 1 });
  const store = new FileObjectStore(join(dir, 'lake'));
  const throttled = Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $retryable: {},
  });
  for (let i = 0; i < LETTERS; i++) {
    const body = JSON.stringify({ v: 1, tenantId: 'acme-corp', batchId: `b-${i}`, events: [] });
    await queue.send({ body, groupId: 'acme-corp' });
    await recordFailure(store, {
      body,
      error: throttled,
      recordedBy: 'split',
      now: new Date(),
      receiveCount: 1,
    });
  }
  for (let got = await queue.receive(10); got.length > 0; got = await queue.receive(10)) {
    for (const m of got) await queue.nack(m.receiptHandle, throttled);
  }
  return { dir, queue, store };
}

export async function run(progress: (message: string) => void): Promise<CaseResult[]> {
  const sweepRound = async (): Promise<Round> => {
    const { dir, queue, store } = await deadLetters();
    try {
      const started = performance.now();
      const summary = await sweep(
        {
          sources: [new DiskDeadLetters('batches', queue)],
          store,
          stream: null,
          alerter: { publish: async () => undefined },
          metrics: { count: () => undefined },
          clock: { now: () => new Date() },
          log: silent,
        },
        DEFAULT_SWEEP_CONFIG,
      );
      const seconds = (performance.now() - started) / 1000;
      if (summary.redriven !== LETTERS) throw new Error(`swept ${summary.redriven} of ${LETTERS}`);
      return { units: LETTERS, seconds, extra: { alerts: summary.alerts } };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const redriveRound = async (): Promise<Round> => {
    const { dir, queue } = await deadLetters();
    try {
      const started = performance.now();
      const moved = await queue.redrive();
      const seconds = (performance.now() - started) / 1000;
      if (moved !== LETTERS) throw new Error(`moved ${moved} of ${LETTERS}`);
      return { units: LETTERS, seconds };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  return [
    await compare({
      bench: 'dlq',
      name: `sweep of ${LETTERS} transient dead letters (disk queue)`,
      unit: 'letters',
      rounds: 3,
      progress,
      candidate: sweepRound,
      baselineName: 'DiskQueue.redrive() (every letter at once, no classification)',
      baseline: redriveRound,
    }),
  ];
}
