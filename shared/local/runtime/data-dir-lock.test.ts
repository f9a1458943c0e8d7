import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.js';

describe('lockDataDir', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-lock-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lets one owner in at a time and frees the directory on release', async () => {
    const lock = await lockDataDir(dataDir);
    expect(await readFile(join(dataDir, 'oplake.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await expect(lockDataDir(dataDir)).rejects.toThrow(DataDirInUseError);
    await lock.release();
    await (await lockDataDir(dataDir)).release();
  });

  it('refuses a directory owned by another live process', async () => {
    await writeFile(join(dataDir, 'oplake.lock'), `${process.ppid}\n`);
    await expect(lockDataDir(dataDir)).rejects.toThrow(/in use by process/);
  });

  it('takes over the lock of a process that died (kill -9 leaves it behind)', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await writeFile(join(dataDir, 'oplake.lock'), `${dead.stdout.toString()}\n`);
    const lock = await lockDataDir(dataDir);
    expect(await readFile(join(dataDir, 'oplake.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });
});
