/**
 * The batch queue of local mode, standing in for the SQS fair queue: one JSON file a message.
 *
 *   <dir>/ready/     messages waiting to be received
 *   <dir>/inflight/  received, not yet acknowledged (visibility deadline kept in memory)
 *   <dir>/dlq/       messages that failed `maxReceiveCount` times, with their last error
 *   <dir>/tmp/       files being written (never read)
 *
 * `send` resolves only after the file is fsynced and renamed into `ready/` and the folder is
 * fsynced: a 202 answered after `send` survives kill -9. A message's file name starts with its
 * group (base64url) so `receive` can serve groups round-robin without opening files: one noisy
 * tenant cannot starve the others (the SQS fair-queue behaviour). Delivery is at least once.
 *
 * One process owns a queue folder at a time, and one instance in it receives. On `start`,
 * whatever sits in `inflight/` was being processed by a receiver that is gone, so it goes back to
 * `ready/` (or to `dlq/` when it has used up its receives). Local mode's server sends from its
 * request thread and receives in its split thread, each with an instance of its own.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_QUEUE_MESSAGE_BYTES, type MessageQueue, type OutgoingMessage } from '../../ports/queue.js';
import { ensureDirs, isNotFound, SerialQueue, syncDir, writeFileDurable } from './fs-durable.js';

export interface DiskQueueOptions {
  /** How long a received message stays invisible before it is returned to `ready/`. */
  visibilityTimeoutMs?: number;
  /** After this many failed receives a message goes to `dlq/` (SQS redrive policy). */
  maxReceiveCount?: number;
  now?: () => number;
  /**
   * Remove half-written files of `tmp/` at start (default true). False for a second instance in
   * the same process (local mode's split thread) while the first may be sending.
   */
  sweepTmpOnStart?: boolean;
}

export interface ReceivedMessage {
  messageId: string;
  /** Valid for this receive only; a later receive of the same message gets a new one. */
  receiptHandle: string;
  body: string;
  groupId: string;
  /** 1 on the first receive. */
  receiveCount: number;
  sentAt: string;
}

export interface DeadLetter {
  messageId: string;
  groupId: string;
  body: string;
  receiveCount: number;
  lastError: string | null;
  sentAt: string;
  /** Its file in `dlq/` (for redriveOne / removeDeadLetter). */
  file: string;
}

export interface QueueDepth {
  ready: number;
  inflight: number;
  dlq: number;
}

/** What a message file holds. */
interface StoredMessage {
  messageId: string;
  groupId: string;
  body: string;
  sentAt: string;
  receiveCount: number;
  lastError: string | null;
}

interface Lease {
  name: string;
  deadline: number;
}

export class DiskQueueError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'DiskQueueError';
  }
}

export class DiskQueue implements MessageQueue {
  readonly visibilityTimeoutMs: number;
  readonly maxReceiveCount: number;
  private readonly now: () => number;
  private readonly sweepTmpOnStart: boolean;
  private readonly serial = new SerialQueue();
  /** receiptHandle -> lease. */
  private readonly leases = new Map<string, Lease>();
  private lastGroup: string | undefined;
  private seq = 0;
  private started: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    options: DiskQueueOptions = {},
  ) {
    this.visibilityTimeoutMs = options.visibilityTimeoutMs ?? 5 * 60_000;
    this.maxReceiveCount = options.maxReceiveCount ?? 5;
    this.now = options.now ?? Date.now;
    this.sweepTmpOnStart = options.sweepTmpOnStart ?? true;
    if (this.maxReceiveCount < 1) throw new RangeError('maxReceiveCount must be at least 1');
  }

  private get readyDir(): string {
    return join(this.dir, 'ready');
  }
  private get inflightDir(): string {
    return join(this.dir, 'inflight');
  }
  private get dlqDir(): string {
    return join(this.dir, 'dlq');
  }
  private get tmpDir(): string {
    return join(this.dir, 'tmp');
  }

  /** Creates the folders and recovers what a previous process left in flight. Idempotent. */
  start(): Promise<void> {
    this.started ??= this.serial.run(async () => {
      await ensureDirs(this.dir, this.readyDir, this.inflightDir, this.dlqDir, this.tmpDir);
      if (this.sweepTmpOnStart)
        for (const name of await readdir(this.tmpDir)) await rm(join(this.tmpDir, name), { force: true });
      for (const name of await listMessages(this.inflightDir)) await this.returnFromInflight(name, null);
    });
    return this.started;
  }

  async send(message: OutgoingMessage): Promise<void> {
    if (Buffer.byteLength(message.body) > MAX_QUEUE_MESSAGE_BYTES) {
      throw new DiskQueueError(`message body is over ${MAX_QUEUE_MESSAGE_BYTES} bytes`);
    }
    await this.start();
    const stored: StoredMessage = {
      messageId: randomUUID(),
      groupId: message.groupId,
      body: message.body,
      sentAt: new Date(this.now()).toISOString(),
      receiveCount: 0,
      lastError: null,
    };
    // Time, then a per-process sequence, then randomness: FIFO-ish within a group, unique across processes.
    const order = `${String(this.now()).padStart(15, '0')}-${String(this.seq++).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
    const name = `${Buffer.from(message.groupId).toString('base64url')}.${order}.json`;
    await writeFileDurable(join(this.readyDir, name), JSON.stringify(stored), this.tmpDir);
  }

  /**
   * Up to `max` messages, taken round-robin across groups (one from each group in turn, starting
   * after the group served last). Expired leases are returned to `ready/` first.
   */
  receive(max = 10): Promise<ReceivedMessage[]> {
    return this.start().then(() =>
      this.serial.run(async () => {
        await this.expireLeases();
        const byGroup = new Map<string, string[]>();
        for (const name of await listMessages(this.readyDir)) {
          const group = name.slice(0, name.indexOf('.'));
          const names = byGroup.get(group) ?? [];
          names.push(name);
          byGroup.set(group, names);
        }
        const groups = [...byGroup.keys()].sort();
        const startAt =
          this.lastGroup === undefined ? 0 : groups.findIndex((g) => g > (this.lastGroup ?? ''));
        const ordered = startAt <= 0 ? groups : [...groups.slice(startAt), ...groups.slice(0, startAt)];
        const picked: string[] = [];
        for (let round = 0; picked.length < max; round++) {
          let any = false;
          for (const group of ordered) {
            const name = byGroup.get(group)?.[round];
            if (name === undefined) continue;
            any = true;
            picked.push(name);
            this.lastGroup = group;
            if (picked.length >= max) break;
          }
          if (!any) break;
        }
        const out: ReceivedMessage[] = [];
        for (const name of picked) {
          const message = await this.claim(name);
          if (message) out.push(message);
        }
        return out;
      }),
    );
  }

  /** Deletes a received message. False when its lease had expired (it may be received again). */
  ack(receiptHandle: string): Promise<boolean> {
    return this.serial.run(async () => {
      const lease = this.leases.get(receiptHandle);
      if (!lease) return false;
      this.leases.delete(receiptHandle);
      await rm(join(this.inflightDir, lease.name), { force: true });
      await syncDir(this.inflightDir);
      return true;
    });
  }

  /**
   * Gives a message back after a failed attempt, recording the error. With `retryAfterMs` it
   * stays invisible that long (SQS ChangeMessageVisibility); it goes to `dlq/` once it has been
   * received `maxReceiveCount` times.
   */
  nack(receiptHandle: string, error: unknown, options: { retryAfterMs?: number } = {}): Promise<boolean> {
    return this.serial.run(async () => {
      const lease = this.leases.get(receiptHandle);
      if (!lease) return false;
      const reason = describeError(error);
      if (options.retryAfterMs !== undefined && options.retryAfterMs > 0) {
        const stored = await this.read(join(this.inflightDir, lease.name));
        if (stored && stored.receiveCount < this.maxReceiveCount) {
          await writeFileDurable(
            join(this.inflightDir, lease.name),
            JSON.stringify({ ...stored, lastError: reason }),
            this.tmpDir,
          );
          lease.deadline = this.now() + options.retryAfterMs;
          return true;
        }
      }
      this.leases.delete(receiptHandle);
      await this.returnFromInflight(lease.name, reason);
      return true;
    });
  }

  async depth(): Promise<QueueDepth> {
    await this.start();
    return {
      ready: (await listMessages(this.readyDir)).length,
      inflight: (await listMessages(this.inflightDir)).length,
      dlq: (await listMessages(this.dlqDir)).length,
    };
  }

  async deadLetters(): Promise<DeadLetter[]> {
    await this.start();
    const out: DeadLetter[] = [];
    for (const name of await listMessages(this.dlqDir)) {
      const stored = await this.read(join(this.dlqDir, name));
      if (stored) out.push({ ...stored, file: name });
    }
    return out;
  }

  /** The bodies of every message held (ready, in flight, dead-lettered), without receiving them. */
  async bodies(): Promise<string[]> {
    await this.start();
    const out: string[] = [];
    for (const dir of [this.readyDir, this.inflightDir, this.dlqDir]) {
      for (const name of await listMessages(dir)) {
        const stored = await this.read(join(dir, name));
        if (stored) out.push(stored.body);
      }
    }
    return out;
  }

  /** Moves every dead letter back to `ready/` with a fresh receive count (SQS StartMessageMoveTask). */
  redrive(): Promise<number> {
    return this.start().then(() =>
      this.serial.run(async () => {
        const names = await listMessages(this.dlqDir);
        for (const name of names) {
          const stored = await this.read(join(this.dlqDir, name));
          if (!stored) continue;
          await writeFileDurable(
            join(this.readyDir, name),
            JSON.stringify({ ...stored, receiveCount: 0 }),
            this.tmpDir,
          );
          await rm(join(this.dlqDir, name), { force: true });
        }
        if (names.length) await syncDir(this.dlqDir);
        return names.length;
      }),
    );
  }

  /**
   * One dead letter back to `ready/` with a fresh receive count (the sweeper's redrive). The
   * ready copy is durable before the dead letter is removed. False when it is no longer there.
   */
  redriveOne(letter: Pick<DeadLetter, 'messageId' | 'file'>): Promise<boolean> {
    return this.start().then(() =>
      this.serial.run(async () => {
        const found = await this.findDeadLetter(letter);
        if (found === null) return false;
        await writeFileDurable(
          join(this.readyDir, found.name),
          JSON.stringify({ ...found.stored, receiveCount: 0 }),
          this.tmpDir,
        );
        await rm(join(this.dlqDir, found.name), { force: true });
        await syncDir(this.dlqDir);
        return true;
      }),
    );
  }

  /** Deletes one dead letter (once it is archived). False when it is no longer there. */
  removeDeadLetter(letter: Pick<DeadLetter, 'messageId' | 'file'>): Promise<boolean> {
    return this.start().then(() =>
      this.serial.run(async () => {
        const found = await this.findDeadLetter(letter);
        if (found === null) return false;
        await rm(join(this.dlqDir, found.name), { force: true });
        await syncDir(this.dlqDir);
        return true;
      }),
    );
  }

  private async findDeadLetter(
    letter: Pick<DeadLetter, 'messageId' | 'file'>,
  ): Promise<{ name: string; stored: StoredMessage } | null> {
    if (letter.file.includes('/') || letter.file.startsWith('.')) return null;
    const stored = await this.read(join(this.dlqDir, letter.file));
    return stored?.messageId === letter.messageId ? { name: letter.file, stored } : null;
  }

  /** ready -> inflight with receiveCount + 1, written durably before the message is handed out. */
  private async claim(name: string): Promise<ReceivedMessage | null> {
    const from = join(this.readyDir, name);
    const stored = await this.read(from);
    if (!stored) return null;
    const next: StoredMessage = { ...stored, receiveCount: stored.receiveCount + 1 };
    await writeFileDurable(join(this.inflightDir, name), JSON.stringify(next), this.tmpDir);
    await rm(from, { force: true });
    await syncDir(this.readyDir);
    const receiptHandle = `${next.messageId}#${next.receiveCount}#${randomBytes(6).toString('hex')}`;
    this.leases.set(receiptHandle, { name, deadline: this.now() + this.visibilityTimeoutMs });
    return {
      messageId: next.messageId,
      receiptHandle,
      body: next.body,
      groupId: next.groupId,
      receiveCount: next.receiveCount,
      sentAt: next.sentAt,
    };
  }

  private async expireLeases(): Promise<void> {
    const now = this.now();
    for (const [handle, lease] of this.leases) {
      if (lease.deadline > now) continue;
      this.leases.delete(handle);
      await this.returnFromInflight(lease.name, 'visibility timeout expired');
    }
  }

  /** inflight -> ready, or -> dlq when the message has used up its receives. */
  private async returnFromInflight(name: string, reason: string | null): Promise<void> {
    const from = join(this.inflightDir, name);
    const stored = await this.read(from);
    if (!stored) return;
    const updated: StoredMessage = { ...stored, lastError: reason ?? stored.lastError };
    const target = stored.receiveCount >= this.maxReceiveCount ? this.dlqDir : this.readyDir;
    if (reason === null && target === this.readyDir) {
      await rename(from, join(target, name));
    } else {
      await writeFileDurable(join(target, name), JSON.stringify(updated), this.tmpDir);
      await rm(from, { force: true });
    }
    await syncDir(target);
    await syncDir(this.inflightDir);
  }

  private async read(path: string): Promise<StoredMessage | null> {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as StoredMessage;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw new DiskQueueError(`cannot read queue message ${path}`, { cause: error });
    }
  }
}

async function listMessages(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith('.json') && !name.startsWith('.')).sort();
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
