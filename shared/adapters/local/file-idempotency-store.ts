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
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    let removed = 0;
    const nowSeconds = this.now() / 1000;
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
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
