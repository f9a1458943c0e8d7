/**
 * Small durable-file helpers shared by the local adapters: a write is durable once the file's
 * bytes and the directory entry naming it are both on disk (fsync of the file, then of the folder).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** fsync of a directory, so a rename or unlink in it survives a power cut. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `path` atomically and durably: temporary file in `tmpDir`, fsync, rename, fsync folder. */
export async function writeFileDurable(
  path: string,
  data: Uint8Array | string,
  tmpDir?: string,
): Promise<void> {
  const folder = dirname(path);
  const tmp = join(tmpDir ?? folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await syncDir(folder);
}

/** Creates every folder (recursive) and fsyncs the parent of each, once, at start. */
export async function ensureDirs(...dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true });
    await syncDir(dirname(dir));
  }
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Runs tasks one after another (an in-process mutex over one folder's state). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
