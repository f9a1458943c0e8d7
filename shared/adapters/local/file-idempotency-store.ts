/**
 * Powertools idempotency persistence in files (local mode, tests): one JSON file per record
 * under a directory, named by the SHA-256 of the idempotency key.
 *
 * - Crash-safe: every write goes to a temporary file, is fsynced, then renamed (or hard-linked)
 *   into place and the directory fsynced, so a record is either whole or absent.
 * - Conditional put, like DynamoDBPersistenceLayer's: creating a record fails with
 *   IdempotencyItemAlreadyExistsError (carrying the existing record) while a record exists that
 *   is neither expired nor an in-progress record past its in-progress expiry. Creation is a
 *   `link()` of the finished temporary file, which the OS makes atomic across processes; the
 *   rarer replacement of a stale record is serialised per key within the process.
 * - Settling after a crash (local mode owns its store alone): `inProgressKeys`, `complete` and
 *   `release` let the runtime settle, at start, the records a killed process left in progress,
 *   instead of answering 503 until their in-progress expiry passes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { IdempotencyRecordStatusValue } from '@aws-lambda-powertools/idempotency/types';

/** A JSON value, as Powertools stores response data and hashes keys. */
type JSONValue = NonNullable<IdempotencyRecord['responseData']>;

interface StoredRecord {
  idempotencyKey: string;
  status: string;
  expiryTimestamp?: number;
  inProgressExpiryTimestamp?: number;
  payloadHash?: string;
  responseData?: IdempotencyRecord['responseData'];
}

export interface FileIdempotencyStoreOptions {
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

export class FileIdempotencyStore extends BasePersistenceLayer {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly now: () => number;
  private ready: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    options: FileIdempotencyStoreOptions = {},
  ) {
    super();
    this.now = options.now ?? Date.now;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    await this.ensureDir();
    const path = this.pathOf(record.idempotencyKey);
    await this.serialised(record.idempotencyKey, async () => {
      const tmp = await this.writeTmp(path, toStored(record));
      try {
        try {
          await link(tmp, path);
          await this.syncDir();
          return;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const existing = await this.read(path);
        if (existing !== null && !this.replaceable(existing)) {
          throw new IdempotencyItemAlreadyExistsError(
            `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
            toRecord(existing),
          );
        }
        await rename(tmp, path);
        await this.syncDir();
      } finally {
        await rm(tmp, { force: true });
      }
    });
  }

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const stored = await this.read(this.pathOf(idempotencyKey));
    if (stored === null) throw new IdempotencyItemNotFoundError();
    return toRecord(stored);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    await this.ensureDir();
    const path = this.pathOf(record.idempotencyKey);
    await this.serialised(record.idempotencyKey, async () => {
      const existing = await this.read(path);
      const merged: StoredRecord = {
        ...(existing ?? {}),
        ...toStored(record),
      };
      const tmp = await this.writeTmp(path, merged);
      await rename(tmp, path);
      await this.syncDir();
    });
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    const path = this.pathOf(record.idempotencyKey);
    await this.serialised(record.idempotencyKey, async () => {
      await rm(path, { force: true });
    });
  }

  /**
   * Removes expired records (DynamoDB's TTL does this on AWS; local mode calls it now and then,
   * e.g. from the nightly run). Answers how many files were removed.
   */
  async purgeExpired(): Promise<number> {
    let removed = 0;
    const nowSeconds = this.now() / 1000;
    for (const name of await this.recordFiles()) {
      const path = join(this.dir, name);
      const stored = await this.read(path);
      if (stored === null || stored.expiryTimestamp === undefined || stored.expiryTimestamp >= nowSeconds)
        continue;
      await this.serialised(stored.idempotencyKey, async () => {
        const current = await this.read(path);
        if (current?.expiryTimestamp !== undefined && current.expiryTimestamp < nowSeconds) {
          await rm(path, { force: true });
          removed += 1;
        }
      });
    }
    return removed;
  }

  /** Keys of the records still in progress (after a crash: the batches it interrupted). */
  async inProgressKeys(): Promise<string[]> {
    const keys: string[] = [];
    for (const name of await this.recordFiles()) {
      const stored = await this.read(join(this.dir, name));
      if (stored?.status === IdempotencyRecordStatus.INPROGRESS) keys.push(stored.idempotencyKey);
    }
    return keys;
  }

  /** The key Powertools gives `data` (the store must be configured as the handler configures it). */
  keyOf(data: JSONValue): string {
    return this.getHashedIdempotencyKey(data);
  }

  /**
   * Completes an in-progress record with the answer its step would have stored (a retry is then
   * answered as a replay); `expiryTimestamp` in seconds. False when it is no longer in progress.
   */
  complete(idempotencyKey: string, responseData: JSONValue, expiryTimestamp: number): Promise<boolean> {
    return this.settle(idempotencyKey, async (path, stored) => {
      const { inProgressExpiryTimestamp: _, ...rest } = stored;
      const tmp = await this.writeTmp(path, {
        ...rest,
        status: IdempotencyRecordStatus.COMPLETED,
        responseData,
        expiryTimestamp,
      });
      await rename(tmp, path);
    });
  }

  /** Removes an in-progress record, so a retry runs the step again. False when it is no longer in progress. */
  release(idempotencyKey: string): Promise<boolean> {
    return this.settle(idempotencyKey, async (path) => {
      await rm(path, { force: true });
    });
  }

  private async settle(
    idempotencyKey: string,
    change: (path: string, stored: StoredRecord) => Promise<void>,
  ): Promise<boolean> {
    const path = this.pathOf(idempotencyKey);
    return this.serialised(idempotencyKey, async () => {
      const stored = await this.read(path);
      if (stored?.status !== IdempotencyRecordStatus.INPROGRESS) return false;
      await change(path, stored);
      await this.syncDir();
      return true;
    });
  }

  private async recordFiles(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((name) => name.endsWith('.json'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Expired, or in progress past its in-progress expiry: a new put may take its place. */
  private replaceable(stored: StoredRecord): boolean {
    const now = this.now();
    if (stored.expiryTimestamp !== undefined && stored.expiryTimestamp < now / 1000) return true;
    return (
      stored.status === IdempotencyRecordStatus.INPROGRESS &&
      stored.inProgressExpiryTimestamp !== undefined &&
      stored.inProgressExpiryTimestamp < now
    );
  }

  private pathOf(idempotencyKey: string): string {
    return join(this.dir, `${createHash('sha256').update(idempotencyKey).digest('hex')}.json`);
  }

  private async read(path: string): Promise<StoredRecord | null> {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as StoredRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  private async writeTmp(path: string, stored: StoredRecord): Promise<string> {
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(stored));
      await handle.sync();
    } finally {
      await handle.close();
    }
    return tmp;
  }

  private async syncDir(): Promise<void> {
    const handle = await open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private ensureDir(): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    return this.ready;
  }

  /** Runs tasks on one key one after another (in-process). */
  private async serialised<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}

function toStored(record: IdempotencyRecord): StoredRecord {
  return {
    idempotencyKey: record.idempotencyKey,
    status: record.getStatus(),
    ...(record.expiryTimestamp === undefined ? {} : { expiryTimestamp: record.expiryTimestamp }),
    ...(record.inProgressExpiryTimestamp === undefined
      ? {}
      : { inProgressExpiryTimestamp: record.inProgressExpiryTimestamp }),
    ...(record.payloadHash === undefined ? {} : { payloadHash: record.payloadHash }),
    ...(record.responseData === undefined ? {} : { responseData: record.responseData }),
  };
}

function toRecord(stored: StoredRecord): IdempotencyRecord {
  return new IdempotencyRecord({
    idempotencyKey: stored.idempotencyKey,
    status: stored.status as IdempotencyRecordStatusValue,
    ...(stored.expiryTimestamp === undefined ? {} : { expiryTimestamp: stored.expiryTimestamp }),
    ...(stored.inProgressExpiryTimestamp === undefined
      ? {}
      : { inProgressExpiryTimestamp: stored.inProgressExpiryTimestamp }),
    ...(stored.payloadHash === undefined ? {} : { payloadHash: stored.payloadHash }),
    ...(stored.responseData === undefined ? {} : { responseData: stored.responseData }),
  });
}
