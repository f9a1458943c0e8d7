/** What the CLI suites share: the CLI run in process, and a port nothing listens on. */
import { createServer } from 'node:net';
import { run } from './main.js';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

/** `oplake ...args` in process: its exit code and what it wrote to stdout and stderr. */
export async function cli(args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'oplake', ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out, err };
}

/** A port of 127.0.0.1 that was free a moment ago: a `--url` no server answers. */
export function closedPort(): Promise<number> {
  return new Promise<number>((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
