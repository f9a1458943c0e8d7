/** Local mode's key set: `keys.json` in the data directory, created on first use (mode 0600). */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type KeySet, type KeySetSource, newKeySet } from './tokens.js';

export class FileKeySetSource implements KeySetSource {
  private cached: KeySet | undefined;
  constructor(private readonly dataDir: string) {}

  get path(): string {
    return join(this.dataDir, 'keys.json');
  }

  async load(): Promise<KeySet> {
    if (this.cached) return this.cached;
    try {
      this.cached = parseKeySet(await readFile(this.path, 'utf8'), this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.cached = await this.create();
    }
    return this.cached;
  }

  /** Writes a new key set (rotation); the next load sees it. */
  async save(keySet: KeySet): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(keySet, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.path);
    this.cached = keySet;
  }

  private async create(): Promise<KeySet> {
    const keySet = newKeySet();
    await mkdir(dirname(this.path), { recursive: true });
    // 'wx': if another process created it first, read theirs instead.
    try {
      const handle = await open(this.path, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(keySet, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return keySet;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return parseKeySet(await readFile(this.path, 'utf8'), this.path);
    }
  }
}

export function parseKeySet(text: string, origin: string): KeySet {
  const value = JSON.parse(text) as Partial<KeySet>;
  if (typeof value.activeKid !== 'string' || typeof value.keys !== 'object' || value.keys === null) {
    throw new Error(`${origin} is not a key set ({"activeKid", "keys"})`);
  }
  if (typeof value.keys[value.activeKid] !== 'string')
    throw new Error(`${origin}: active key ${value.activeKid} is missing`);
  return { activeKid: value.activeKid, keys: value.keys };
}
