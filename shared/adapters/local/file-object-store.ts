/**
 * The object store of local mode: one file per key under a root directory. A put is atomic
 * (write to a temporary file, fsync, rename), so a reader or a crash never leaves half an object.
 * A move is a rename (same file system: atomic, no bytes copied), then an fsync of each folder it
 * moved into (and of the parent of a folder it created), so the moves are on disk before the
 * caller's next step (e.g. deleting what a published file replaces). A rename is one journal
 * transaction on Linux file systems: the destination folder's fsync commits the source's side too.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Clock } from '../../ports/clock.js';
import type { ObjectInfo, ObjectMove, ObjectStore } from '../../ports/object-store.js';
import { syncDir } from './fs-durable.js';

/** Keys whose size and time `list` looks up at once. */
const STAT_CHUNK = 64;

export interface FileObjectStoreOptions {
  /**
   * Stamps every object written (put, copy) with this clock's time as its `lastModified`, as S3
   * stamps LastModified, so tests that move a clock can age objects (lifecycle.ts). Without it
   * the file system's time stands.
   */
  clock?: Clock;
}

export class FileObjectStore implements ObjectStore {
  constructor(
    readonly root: string,
    private readonly options: FileObjectStoreOptions = {},
  ) {}

  /** The file behind a key (local engines such as DuckDB read these paths directly). */
  pathOf(key: string): string {
    if (key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.')) {
      throw new RangeError(`not an object key: ${key}`);
    }
    return join(this.root, ...key.split('/'));
  }

  /** The key of a file under the root (the inverse of pathOf). */
  keyOf(path: string): string {
    const key = relative(this.root, path).split(sep).join('/');
    this.pathOf(key); // refuses a path outside the root
    return key;
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.stamp(tmp);
    await rename(tmp, path);
  }

  /** Sets a file's times to the clock's now (a rename keeps them). */
  private async stamp(path: string): Promise<void> {
    if (this.options.clock === undefined) return;
    const now = this.options.clock.now();
    await utimes(path, now, now);
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const keys: string[] = [];
    // Walk only the deepest folder the prefix names, not the whole root.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    await this.walk(folder === '' ? this.root : this.pathOf(folder.replace(/\/$/, '')), keys);
    keys.sort();
    const matching = keys.filter((key) => key.startsWith(prefix));
    // stat in chunks, in parallel: libuv's pool runs a few at a time; one await per chunk, not per key.
    for (let start = 0; start < matching.length; start += STAT_CHUNK) {
      const infos = await Promise.all(matching.slice(start, start + STAT_CHUNK).map((key) => this.info(key)));
      for (const info of infos) if (info) yield info;
    }
  }

  /**
   * The names of the folders directly under a prefix (`dt=2026-11-24`), without looking inside
   * them: an empty folder is listed (unlike `listPrefixes`), and lists no object.
   */
  async listFolderNames(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(prefix === '' ? this.root : this.pathOf(prefix.replace(/\/$/, '')), {
        withFileTypes: true,
      });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  private async info(key: string): Promise<ObjectInfo | null> {
    try {
      const info = await stat(this.pathOf(key));
      return { key, size: info.size, lastModified: info.mtime };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // deleted meanwhile
      throw error;
    }
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    const dir = prefix === '' ? this.root : this.pathOf(prefix.replace(/\/$/, ''));
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      const prefixes: string[] = [];
      for (const entry of entries) {
        // S3 has no empty folders: a folder whose objects were all deleted is not a prefix.
        if (entry.isDirectory() && (await this.holdsObject(join(dir, entry.name))))
          prefixes.push(`${prefix}${entry.name}/`);
      }
      return prefixes.sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const target = this.pathOf(toKey);
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await copyFile(this.pathOf(fromKey), tmp);
    await this.stamp(tmp);
    await rename(tmp, target);
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) await rm(this.pathOf(key), { force: true });
  }

  async move(moves: readonly ObjectMove[]): Promise<void> {
    const touched = new Set<string>();
    const made = new Set<string>();
    try {
      for (const { from, to } of moves) {
        const source = this.pathOf(from);
        const target = this.pathOf(to);
        const folder = dirname(target);
        if (!made.has(folder)) {
          // A folder created here is itself an entry of its parent: fsync that parent too.
          const first = await mkdir(folder, { recursive: true });
          if (first !== undefined) {
            for (let dir = folder; dir.length >= first.length; dir = dirname(dir)) touched.add(dirname(dir));
          }
          made.add(folder);
        }
        await rename(source, target); // ENOENT when `from` is missing, as the port says
        touched.add(folder);
      }
    } finally {
      for (const dir of touched) await syncDir(dir);
    }
  }

  /** True when some file (not a temporary one) sits anywhere below `dir`; stops at the first. */
  private async holdsObject(dir: string): Promise<boolean> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    for (const entry of entries) {
      if (entry.isFile() && !entry.name.endsWith('.tmp')) return true;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && (await this.holdsObject(join(dir, entry.name)))) return true;
    }
    return false;
  }

  private async walk(dir: string, out: string[]): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await this.walk(full, out);
      else if (entry.isFile() && !entry.name.endsWith('.tmp'))
        out.push(relative(this.root, full).split(sep).join('/'));
    }
  }
}
