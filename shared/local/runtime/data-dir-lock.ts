/**
 * One process owns a data directory: the queue's recovery moves every in-flight message back to
 * `ready/` at start, and the idempotency store settles in-progress records, which is right only
 * when no other live process is working on them.
 *
 * The lock is an exclusive advisory lock on `<dataDir>/oplake.lock` (Linux: an open file
 * description lock, F_OFD_SETLK, through fs-native-extensions), held on a descriptor kept open
 * while the owner runs. The kernel drops it when that descriptor is closed, and a process that
 * dies (kill -9, crash, OOM) has every descriptor closed by the kernel before it is even a
 * zombie (its other threads may take a few milliseconds more to exit, so a refused lock is
 * retried for `waitMs`): a supervisor's immediate restart finds the directory free, whatever
 * became of the dead process's pid (still a zombie, reused by the new server in a restarted container, or by an
 * unrelated process). The pid written into the file is only for the "in use by" message; it
 * decides nothing. The file is never deleted: unlinking a lock file lets a second process lock a
 * new inode while the first still holds the old one.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tryLock, unlock } from 'fs-native-extensions';

export const LOCK_FILE = 'oplake.lock';

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    /** The pid the owner wrote into the lock file (null when it had not written it yet). */
    readonly pid: number | null,
  ) {
    super(
      `data directory ${dataDir} is in use by ${pid === null ? 'another process' : `process ${pid}`} (a running oplake server?)`,
    );
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

/** How long a held lock is retried before the directory is reported in use. */
export const DEFAULT_LOCK_WAIT_MS = 2_000;
const RETRY_MS = 20;

export async function lockDataDir(dataDir: string, waitMs = DEFAULT_LOCK_WAIT_MS): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const handle = await open(path, 'a+');
  let granted = false;
  try {
    const deadline = Date.now() + waitMs;
    granted = tryLock(handle.fd);
    while (!granted && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, RETRY_MS));
      granted = tryLock(handle.fd);
    }
    if (!granted) {
      const owner = Number.parseInt(await readFile(path, 'utf8'), 10);
      throw new DataDirInUseError(dataDir, Number.isInteger(owner) && owner > 0 ? owner : null);
    }
    await handle.truncate(0);
    await handle.write(`${process.pid}\n`, 0);
    await handle.sync();
  } catch (error) {
    if (granted) unlock(handle.fd);
    await handle.close();
    throw error;
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      unlock(handle.fd);
      await handle.close();
    },
  };
}
