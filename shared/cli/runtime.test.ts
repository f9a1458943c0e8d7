/**
 * One runtime: the `oplake` bin runs on Node 22 (Lambda's nodejs22.x) whichever Node starts it.
 * Started by every other `node` on PATH (this machine's own, e.g. Node 20, which the Makefile puts
 * after the project's Node 22), it answers with Node 22 or newer.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '../../test/e2e/local-server.js';

function nodesOnPath(): string[] {
  const found = new Set<string>([realpathSync(process.execPath)]);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'node');
    try {
      accessSync(candidate, constants.X_OK);
      found.add(realpathSync(candidate));
    } catch {
      // no node here
    }
  }
  return [...found];
}

describe('the oplake bin', () => {
  it.each(nodesOnPath())('runs on Node 22+ when started by %s', (node) => {
    const out = execFileSync(node, ['shared/cli/oplake.mjs', '--version'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 120_000,
    });
    const major = Number(/Node v(\d+)\./.exec(out)?.[1]);
    expect(major).toBeGreaterThanOrEqual(22);
  });
});
