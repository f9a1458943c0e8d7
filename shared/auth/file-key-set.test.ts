import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FileKeySetSource } from './file-key-set.js';
import { rotateKeySet } from './tokens.js';

describe('FileKeySetSource (local signing keys)', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-keys-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the key file readable by its owner only, and keeps that mode across a rotation', async () => {
    const source = new FileKeySetSource(dataDir);
    const first = await source.load();
    expect((await stat(source.path)).mode & 0o777).toBe(0o600);
    await source.save(rotateKeySet(first, 'k-next'));
    expect((await stat(source.path)).mode & 0o777).toBe(0o600);
    expect(Object.keys((await new FileKeySetSource(dataDir).load()).keys)).toHaveLength(2);
  });
});
