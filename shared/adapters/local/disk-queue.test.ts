import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DiskQueue } from './disk-queue.js';

describe('DiskQueue', () => {
  let dir: string;
  let clock: number;
  const now = () => clock;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oplake-queue-'));
    clock = 1_000_000;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers a sent message with its group and receive count, and ack deletes it', async () => {
    // Prepare
    const queue = new DiskQueue(dir, { now });
    await queue.send({ body: '{"a":1}', groupId: 'acme-corp' });

    // Act
    const [message] = await queue.receive(10);

    // Assess
    expect(message).toMatchObject({ body: '{"a":1}', groupId: 'acme-corp', receiveCount: 1 });
    expect(await queue.depth()).toEqual({ ready: 0, inflight: 1, dlq: 0 });
    expect(await queue.receive(10)).toEqual([]);
    expect(await queue.ack(message?.receiptHandle ?? '')).toBe(true);
    expect(await queue.depth()).toEqual({ ready: 0, inflight: 0, dlq: 0 });
  });

  it('writes the message to ready/ before send resolves, with no temporary file left', async () => {
    const queue = new DiskQueue(dir, { now });
    await queue.send({ body: 'x', groupId: 'acme-corp' });
    expect(await readdir(join(dir, 'ready'))).toHaveLength(1);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('serves groups round-robin so one noisy group does not starve the others', async () => {
    // Prepare: 50 messages of a noisy tenant sent first, then one each of two quiet tenants
    const queue = new DiskQueue(dir, { now });
    for (let i = 0; i < 50; i++) await queue.send({ body: `noisy-${i}`, groupId: 'noisy' });
    await queue.send({ body: 'quiet-a', groupId: 'quiet-a' });
    await queue.send({ body: 'quiet-b', groupId: 'quiet-b' });

    // Act
    const first = await queue.receive(3);

    // Assess
    expect(first.map((m) => m.groupId).sort()).toEqual(['noisy', 'quiet-a', 'quiet-b']);
    expect(first.find((m) => m.groupId === 'noisy')?.body).toBe('noisy-0');
  });

  it('rotates across groups between calls of receive(1)', async () => {
    const queue = new DiskQueue(dir, { now });
    for (let i = 0; i < 3; i++) {
      await queue.send({ body: `a${i}`, groupId: 'aaa' });
      await queue.send({ body: `b${i}`, groupId: 'bbb' });
    }
    const bodies: string[] = [];
    for (let i = 0; i < 6; i++) {
      const [m] = await queue.receive(1);
      if (m) {
        bodies.push(m.body);
        await queue.ack(m.receiptHandle);
      }
    }
    expect(bodies).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  it('returns a message to ready when its visibility timeout expires; the old receipt no longer acks', async () => {
    const queue = new DiskQueue(dir, { now, visibilityTimeoutMs: 1000 });
    await queue.send({ body: 'x', groupId: 'acme-corp' });
    const [first] = await queue.receive(1);

    clock += 1001;
    const [second] = await queue.receive(1);

    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.receiveCount).toBe(2);
    expect(await queue.ack(first?.receiptHandle ?? '')).toBe(false);
    expect(await queue.ack(second?.receiptHandle ?? '')).toBe(true);
  });

  it('nack returns the message at once, or keeps it invisible for retryAfterMs', async () => {
    const queue = new DiskQueue(dir, { now });
    await queue.send({ body: 'x', groupId: 'acme-corp' });
    const [first] = await queue.receive(1);
    await queue.nack(first?.receiptHandle ?? '', new Error('boom'));
    const [second] = await queue.receive(1);
    expect(second?.receiveCount).toBe(2);

    await queue.nack(second?.receiptHandle ?? '', new Error('later'), { retryAfterMs: 5000 });
    expect(await queue.receive(1)).toEqual([]);
    clock += 5001;
    expect((await queue.receive(1))[0]?.receiveCount).toBe(3);
  });

  it('moves a message to dlq/ with its last error after maxReceiveCount failures, and redrives it', async () => {
    const queue = new DiskQueue(dir, { now, maxReceiveCount: 3 });
    await queue.send({ body: 'poison', groupId: 'acme-corp' });
    for (let i = 0; i < 3; i++) {
      const [m] = await queue.receive(1);
      expect(m?.receiveCount).toBe(i + 1);
      await queue.nack(m?.receiptHandle ?? '', new TypeError(`attempt ${i + 1} failed`));
    }
    expect(await queue.receive(1)).toEqual([]);
    expect(await queue.depth()).toEqual({ ready: 0, inflight: 0, dlq: 1 });
    const [dead] = await queue.deadLetters();
    expect(dead).toMatchObject({ body: 'poison', receiveCount: 3, lastError: 'TypeError: attempt 3 failed' });

    expect(await queue.redrive()).toBe(1);
    expect((await queue.receive(1))[0]).toMatchObject({ body: 'poison', receiveCount: 1 });
  });

  it('redrives or removes one dead letter at a time (the sweeper), and only the one named', async () => {
    // Prepare: two dead letters
    const small = new DiskQueue(dir, { now, maxReceiveCount: 1 });
    for (const body of ['a', 'b']) await small.send({ body, groupId: 'acme-corp' });
    for (const m of await small.receive(2)) await small.nack(m.receiptHandle, new Error('x'));
    const [a, b] = await small.deadLetters();
    if (a === undefined || b === undefined) throw new Error('expected two dead letters');

    // Act
    const redriven = await small.redriveOne(a);
    const removed = await small.removeDeadLetter(b);
    const again = await small.removeDeadLetter(b);
    const wrongId = await small.redriveOne({ messageId: 'other', file: a.file });

    // Assess
    expect([redriven, removed, again, wrongId]).toEqual([true, true, false, false]);
    expect(await small.depth()).toEqual({ ready: 1, inflight: 0, dlq: 0 });
    expect((await small.receive(1))[0]).toMatchObject({ body: a.body, receiveCount: 1 });
  });

  it('after a crash, a new instance over the same folder gets back every sent and in-flight message', async () => {
    // Prepare: the "crashed" instance sent 3 and had 2 in flight, never acked
    const crashed = new DiskQueue(dir, { now });
    for (let i = 0; i < 3; i++) await crashed.send({ body: `m${i}`, groupId: 'acme-corp' });
    const inflight = await crashed.receive(2);
    expect(inflight).toHaveLength(2);

    // Act: a new process starts over the same folder
    const restarted = new DiskQueue(dir, { now });
    await restarted.start();

    // Assess
    expect(await restarted.depth()).toEqual({ ready: 3, inflight: 0, dlq: 0 });
    const all = await restarted.receive(10);
    expect(all.map((m) => m.body).sort()).toEqual(['m0', 'm1', 'm2']);
    expect(all.filter((m) => m.receiveCount === 2)).toHaveLength(2);
  });

  it('a second receiver started beside a sender leaves its half-written files alone (sweepTmpOnStart: false)', async () => {
    // Prepare: the sender's instance is running, with a file of a send in progress in tmp/
    const sender = new DiskQueue(dir, { now });
    await sender.start();
    await writeFile(join(dir, 'tmp', '.being-written.tmp'), 'partial');

    // Act: a receiver (local mode's background thread) starts over the same folder
    const receiver = new DiskQueue(dir, { now, sweepTmpOnStart: false });
    await receiver.start();

    // Assess: the send in progress keeps its file; a fresh process (default) removes leftovers
    expect(await readdir(join(dir, 'tmp'))).toEqual(['.being-written.tmp']);
    await new DiskQueue(dir, { now }).start();
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });

  it('after a crash, an in-flight message that used up its receives goes to the dlq', async () => {
    const crashed = new DiskQueue(dir, { now, maxReceiveCount: 1 });
    await crashed.send({ body: 'poison', groupId: 'acme-corp' });
    await crashed.receive(1);

    const restarted = new DiskQueue(dir, { now, maxReceiveCount: 1 });
    expect(await restarted.depth()).toEqual({ ready: 0, inflight: 0, dlq: 1 });
  });

  it('rejects a body over the queue message limit', async () => {
    const queue = new DiskQueue(dir, { now });
    await expect(queue.send({ body: 'x'.repeat(1024 * 1024 + 1), groupId: 'acme-corp' })).rejects.toThrow(
      /over/,
    );
  });
});
