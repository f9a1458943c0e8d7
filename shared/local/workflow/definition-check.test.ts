import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { validateDefinitionOnce, verdictDir } from './definition-check.js';
import { LOCAL_ASL_VALUES, renderAsl } from './run-nightly.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
const dataDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-asl-'));
  dirs.push(dir);
  return dir;
};

describe('validateDefinitionOnce', () => {
  it('validates the deployed definition once per data directory, and again when it changes', async () => {
    const dir = await dataDir();
    const asl = renderAsl(LOCAL_ASL_VALUES);
    const before = JSON.stringify(asl);

    expect(await validateDefinitionOnce(asl, dir, new Set())).toBe('validated');
    expect(JSON.stringify(asl)).toBe(before); // the validator's defaults did not leak into the run
    expect(await readdir(verdictDir(dir))).toHaveLength(1);
    // A new process (fresh verdicts) over the same data directory: known.
    expect(await validateDefinitionOnce(asl, dir, new Set())).toBe('known');
    // The same process: known without the data directory.
    const inProcess = new Set<string>();
    await validateDefinitionOnce(asl, undefined, inProcess);
    expect(await validateDefinitionOnce(asl, undefined, inProcess)).toBe('known');

    const changed = { ...asl, Comment: 'another definition' };
    expect(await validateDefinitionOnce(changed, dir, new Set())).toBe('validated');
    expect(await readdir(verdictDir(dir))).toHaveLength(2);
  });

  it('refuses an invalid definition every time and keeps no verdict for it', async () => {
    const dir = await dataDir();
    const asl = renderAsl(LOCAL_ASL_VALUES) as { StartAt: string };
    const broken = { ...asl, StartAt: 'NoSuchState' };
    const verdicts = new Set<string>();

    await expect(validateDefinitionOnce(broken, dir, verdicts)).rejects.toThrow();
    await expect(validateDefinitionOnce(broken, dir, verdicts)).rejects.toThrow();
    expect(verdicts.size).toBe(0);
    await expect(readdir(verdictDir(dir))).rejects.toThrow(/ENOENT/);
  });
});
