import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FileKeySetSource } from '../auth/file-key-set.js';
import { verifyToken } from '../auth/tokens.js';
import { cli, closedPort } from './test-kit.js';

describe('oplake CLI', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-cli-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('token prints only a token that the data directory key set verifies', async () => {
    const result = await cli([
      'token',
      '--tenant',
      'acme-corp',
      '--scope',
      'ingest',
      '--device',
      'pc-001',
      '--ttl',
      '1h',
      '--data-dir',
      dataDir,
    ]);
    expect(result.code).toBe(0);
    expect(result.err).toEqual([]);
    expect(result.out).toHaveLength(1);
    const claims = await verifyToken(await new FileKeySetSource(dataDir).load(), result.out[0] ?? '');
    expect(claims).toMatchObject({ tenantId: 'acme-corp', scope: 'ingest', sub: 'pc-001' });
  });

  it('an admin token takes no tenant; tenant scopes need one', async () => {
    const admin = await cli(['token', '--scope', 'admin', '--data-dir', dataDir]);
    expect(admin.code).toBe(0);
    const withTenant = await cli([
      'token',
      '--scope',
      'admin',
      '--tenant',
      'acme-corp',
      '--data-dir',
      dataDir,
    ]);
    expect(withTenant.code).toBe(1);
    expect(withTenant.out).toEqual([]);
    expect(withTenant.err.join('\n')).toMatch(/takes no --tenant/);
    expect((await cli(['token', '--scope', 'search', '--data-dir', dataDir])).code).toBe(1);
  });

  it('refuses a bad tenant, ttl or scope with exit code 1 and nothing on stdout', async () => {
    for (const args of [
      ['token', '--tenant', 'Bad Tenant', '--scope', 'ingest'],
      ['token', '--tenant', 'acme-corp', '--scope', 'ingest', '--ttl', 'forever'],
      ['token', '--tenant', 'acme-corp', '--scope', 'root'],
    ]) {
      const result = await cli([...args, '--data-dir', dataDir]);
      expect(result.code).toBe(1);
      expect(result.out).toEqual([]);
    }
  });

  it('answers --help on every command with exit code 0', async () => {
    for (const args of [
      ['--help'],
      ['token', '--help'],
      ['flush', '--help'],
      ['nightly', '--help'],
      ['tenant', 'delete', '--help'],
      ['serve', '--help'],
    ]) {
      const result = await cli(args);
      expect(result.code).toBe(0);
      expect(result.out.join('\n')).toMatch(/Usage: oplake/);
    }
  });

  it('flush runs in process when no server answers', async () => {
    const port = await closedPort();
    const result = await cli(['flush', '--url', `http://127.0.0.1:${port}`, '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out[0] ?? '')).toEqual({ batches: 0, events: 0, objects: 0 });
    expect(result.err.join('\n')).toMatch(/running in process/);
  });

  it('nightly and tenant delete run in process when no server answers', async () => {
    // Prepare: one tenant-day of raw data in the lake, written the way the stream writes it
    const { writeRawLake } = await import('../../test/fixtures/raw-lake.js');
    const { FileObjectStore } = await import('../adapters/local/file-object-store.js');
    const store = new FileObjectStore(join(dataDir, 'lake'));
    const lake = await writeRawLake(store, {
      tenants: 1,
      days: 1,
      lastDay: '2026-11-20',
      eventsPerTenantDay: 50,
    });
    const url = `http://127.0.0.1:${await closedPort()}`;
    // Act
    const nightly = await cli(['nightly', '--date', '2026-11-24', '--url', url, '--data-dir', dataDir]);
    const deletion = await cli([
      'tenant',
      'delete',
      lake.tenants[0] ?? '',
      '--url',
      url,
      '--data-dir',
      dataDir,
    ]);
    // Assess
    expect(nightly.code).toBe(0);
    expect(JSON.parse(nightly.out[0] ?? '')).toMatchObject({ targets: 1, succeeded: 1, failed: 0 });
    expect(deletion.code).toBe(0);
    expect(JSON.parse(deletion.out[0] ?? '').objects).toBeGreaterThan(0);
    const left: string[] = [];
    for await (const object of store.list(''))
      if (object.key.includes(`tenant_id=${lake.tenants[0]}/`)) left.push(object.key);
    expect(left).toEqual([]);
  });

  it('nightly --mode intraday converts the hot days only, in process', async () => {
    const { writeRawLake } = await import('../../test/fixtures/raw-lake.js');
    const { FileObjectStore } = await import('../adapters/local/file-object-store.js');
    const store = new FileObjectStore(join(dataDir, 'lake'));
    await writeRawLake(store, { tenants: 1, days: 3, lastDay: '2026-11-24', eventsPerTenantDay: 20 });
    const url = `http://127.0.0.1:${await closedPort()}`;

    const run = await cli([
      'nightly',
      '--date',
      '2026-11-24',
      '--mode',
      'intraday',
      '--url',
      url,
      '--data-dir',
      dataDir,
    ]);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.out[0] ?? '')).toMatchObject({
      mode: 'intraday',
      targets: 2,
      succeeded: 2,
      failed: 0,
    });
  });

  it('refuses a malformed date or tenant id with exit code 1', async () => {
    expect((await cli(['nightly', '--date', '24/11/2026', '--data-dir', dataDir])).code).toBe(1);
    const badMode = await cli(['nightly', '--mode', 'hourly', '--data-dir', dataDir]);
    expect(badMode.code).toBe(1);
    expect(badMode.err.join('\n')).toContain('--mode must be one of nightly, intraday');
    expect((await cli(['tenant', 'delete', 'Not_A_Tenant', '--data-dir', dataDir])).code).toBe(1);
  });
});
