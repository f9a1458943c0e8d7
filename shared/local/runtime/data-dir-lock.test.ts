import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '../../../test/e2e/local-server.js';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from './data-dir-lock.js';

const HOLDER = ['--import', 'tsx', 'test/fixtures/lock-holder.ts'];

/** Runs `sh -c script` with the lock holder's command in $HOLDER; resolves once the holder has the lock. */
async function startHolder(
  script: string,
  dataDir: string,
): Promise<{ shell: ChildProcess; holderPid: number }> {
  const holder = [process.execPath, ...HOLDER, dataDir].map((arg) => `'${arg}'`).join(' ');
  const shell = spawn('sh', ['-c', script.replace('$HOLDER', holder)], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const holderPid = await new Promise<number>((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`lock holder did not start: ${out}`)), 30_000);
    shell.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /locked (\d+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        done(Number(match[1]));
      }
    });
    shell.on('exit', (code) => fail(new Error(`lock holder exited with ${code}: ${out}`)));
  });
  return { shell, holderPid };
}

async function processState(pid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return /^State:\s+(\S)/m.exec(status)?.[1] ?? '?';
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('lockDataDir', () => {
  let dataDir: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-lock-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lets one owner in at a time, also within one process, and frees the directory on release', async () => {
    const lock = await lockDataDir(dataDir);
    expect(await readFile(join(dataDir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    await expect(lockDataDir(dataDir, 0)).rejects.toThrow(DataDirInUseError);
    await lock.release();
    await lock.release(); // idempotent
    await (await lockDataDir(dataDir)).release();
  });

  it('refuses a directory a live process holds, naming its pid', async () => {
    const { shell, holderPid } = await startHolder('exec $HOLDER', dataDir);
    children.push(shell);
    const refused = await lockDataDir(dataDir, 200).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as DataDirInUseError).pid).toBe(holderPid);
    expect((refused as Error).message).toContain(`in use by process ${holderPid}`);
  });

  it('takes the directory at once after its owner is killed, while the dead owner is still a zombie', async () => {
    // The holder runs in the background of a shell that then becomes `sleep` and never reaps it.
    const { shell, holderPid } = await startHolder('$HOLDER & exec sleep 60', dataDir);
    children.push(shell);
    process.kill(holderPid, 'SIGKILL');
    await waitFor(async () => (await processState(holderPid)) === 'Z', 'the holder to be a zombie');
    const lock = await lockDataDir(dataDir);
    expect(await processState(holderPid)).toBe('Z'); // still not reaped: the lock did not wait for it
    await lock.release();
  });

  it('takes a lock file left with its own pid (a restarted container reuses the dead server pid)', async () => {
    await writeFile(join(dataDir, LOCK_FILE), `${process.pid}\n`);
    const lock = await lockDataDir(dataDir);
    expect(await readFile(join(dataDir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('takes a lock file naming a live foreign process that does not hold the lock (a reused pid)', async () => {
    await writeFile(join(dataDir, LOCK_FILE), `${process.ppid}\n`);
    const lock = await lockDataDir(dataDir);
    expect(await readFile(join(dataDir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('is taken by exactly one of many processes racing for it', async () => {
    const racers = await Promise.allSettled(
      Array.from({ length: 4 }, async () => {
        const child = spawn(process.execPath, [...HOLDER, dataDir], {
          cwd: REPO_ROOT,
          env: { ...process.env, NODE_OPTIONS: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(child);
        return new Promise<string>((done) => {
          let out = '';
          child.stdout?.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes('locked')) done('locked');
          });
          child.on('exit', () => done('refused'));
        });
      }),
    );
    const outcomes = racers.map((r) => (r.status === 'fulfilled' ? r.value : 'error'));
    expect(outcomes.filter((o) => o === 'locked')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(3);
  });
});
