/**
 * Helpers of the end-to-end suites: the real dev server as a child process (one node process,
 * tsx as a loader, so kill -9 kills exactly it), the CLI, and readers of the lake's raw objects.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { StoredEvent } from '../../shared/domain/event.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
}

/** Starts `shared/local/server/main.ts` (what `make dev` runs) and waits until it answers. */
export async function startServer(
  dataDir: string,
  port: number,
  timeoutMs = 30_000,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'shared/local/server/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      OPLAKE_PORT: String(port),
      OPLAKE_DATA_DIR: dataDir,
      OPLAKE_LOG_LEVEL: 'WARN',
      // Leave buffers to the explicit flush, so the tests see what the flush does.
      OPLAKE_FLUSH_INTERVAL_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`dev server exited with ${child.exitCode}:\n${log}`);
    try {
      const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) });
      // `/` is the admin console (200); any answer means the server listens.
      if (res.status < 500) return { url, child, output: () => log };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`dev server did not answer at ${url} within ${timeoutMs} ms:\n${log}`);
}

/** Sends a signal and waits (bounded) for the process to exit; answers its exit code or signal. */
export async function stopServer(
  server: ServerProcess,
  signal: NodeJS.Signals,
  timeoutMs = 15_000,
): Promise<string> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return String(child.exitCode ?? child.signalCode);
  return new Promise((done) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      done(String(code ?? sig));
    });
    child.kill(signal);
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `oplake` bin (shared/cli/oplake.mjs) with a bound on its run time; with `interruptOn`,
 * sends it SIGINT (Ctrl-C) once its stderr matches.
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  interruptOn?: RegExp,
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['shared/cli/oplake.mjs', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    let interrupted = false;
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (interruptOn && !interrupted && interruptOn.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`oplake ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Every line of every raw object of a tenant (all days), with the object it came from. */
export async function rawEvents(
  dataDir: string,
  tenantId: string,
): Promise<(StoredEvent & { _object: string })[]> {
  const root = join(dataDir, 'lake', 'raw', `tenant_id=${tenantId}`);
  const out: (StoredEvent & { _object: string })[] = [];
  let days: string[];
  try {
    days = await readdir(root);
  } catch {
    return out;
  }
  for (const day of days.sort()) {
    for (const name of (await readdir(join(root, day))).sort()) {
      if (!name.endsWith('.json.gz')) continue;
      const text = gunzipSync(await readFile(join(root, day, name))).toString('utf8');
      for (const line of text.split('\n')) {
        if (line.trim() !== '') out.push({ ...(JSON.parse(line) as StoredEvent), _object: `${day}/${name}` });
      }
    }
  }
  return out;
}

/** What search would show: one event per (device_id, event_id). */
export function dedup<T extends { device_id: string; event_id: string }>(events: T[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const e of events)
    if (!out.has(`${e.device_id}/${e.event_id}`)) out.set(`${e.device_id}/${e.event_id}`, e);
  return out;
}

/** Files waiting in the queue (ready + in flight) and in stream buffers. */
export async function pendingFiles(dataDir: string): Promise<{ queued: number; buffers: number }> {
  const count = async (dir: string) => {
    try {
      return (await readdir(dir)).filter((n) => !n.startsWith('.')).length;
    } catch {
      return 0;
    }
  };
  const queue = join(dataDir, 'queue', 'batches');
  return {
    queued: (await count(join(queue, 'ready'))) + (await count(join(queue, 'inflight'))),
    buffers: await count(join(dataDir, 'stream')),
  };
}
