#!/usr/bin/env node
// The `oplake` bin: runs the TypeScript CLI (main.ts) through tsx, so no build step is needed.
// It runs on the project's Node 22 (Lambda's runtime): started by an older Node (`npx oplake` on a
// machine with Node 20), it runs itself again on the Node 22 that tools/node.sh provides.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAJOR = 22;
if (Number(process.versions.node.split('.')[0]) < MAJOR) {
  const script = fileURLToPath(new URL('../../tools/node.sh', import.meta.url));
  const bin = execFileSync('bash', [script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const child = spawnSync(`${bin}/node`, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (child.error) throw child.error;
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
}

const { tsImport } = await import('tsx/esm/api');
const { run } = await tsImport('./main.ts', import.meta.url);
process.exitCode = await run(process.argv);
