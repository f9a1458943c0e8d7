/**
 * `oplake usage` in process (no server): the lake's bytes and the conversion the nightly run
 * metered, per tenant and day; bad ranges exit 1 with the reason on stderr.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeRawLake } from '../../test/fixtures/raw-lake.js';
import { FileObjectStore } from '../adapters/local/file-object-store.js';
import { cli, closedPort } from './test-kit.js';

describe('oplake usage', () => {
  let dataDir: string;
  let url: string;
  let tenant: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oplake-cli-usage-'));
    url = `http://127.0.0.1:${await closedPort()}`;
    const lake = await writeRawLake(new FileObjectStore(join(dataDir, 'lake')), {
      tenants: 1,
      days: 1,
      lastDay: '2026-11-20',
      eventsPerTenantDay: 40,
      duplicateRate: 0,
    });
    tenant = lake.tenants[0] ?? '';
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reports bytes stored, then the conversion the nightly run metered', async () => {
    // Act
    const args = ['usage', '--tenant', tenant, '--from', '2026-11-20', '--to', '2026-11-20'];
    const before = await cli([...args, '--url', url, '--data-dir', dataDir]);
    const nightly = await cli(['nightly', '--date', '2026-11-21', '--url', url, '--data-dir', dataDir]);
    // The run meters its conversion on the day it ran (the wall clock's): asked apart from the
    // partition's day, so the range stays one day whatever the date (at most 366 days a range).
    const day = new Date().toISOString().slice(0, 10);
    const after = await cli([...args, '--url', url, '--data-dir', dataDir]);
    const ranToday = await cli([
      ...args.slice(0, 3),
      '--from',
      day,
      '--to',
      day,
      '--url',
      url,
      '--data-dir',
      dataDir,
    ]);
    // Assess
    expect(before.code).toBe(0);
    const first = JSON.parse(before.out[0] ?? '') as { rows: Array<Record<string, unknown>> };
    expect(first).toMatchObject({ from: '2026-11-20', to: '2026-11-20', tenant });
    expect(first.rows).toHaveLength(1);
    expect(first.rows[0]).toMatchObject({
      tenantId: tenant,
      day: '2026-11-20',
      parquetBytes: 0,
      conversions: 0,
    });
    expect(Number(first.rows[0]?.rawBytes)).toBeGreaterThan(0);
    expect(nightly.code).toBe(0);
    const rows = (JSON.parse(after.out[0] ?? '') as { rows: Array<Record<string, unknown>> }).rows;
    const runDay = (JSON.parse(ranToday.out[0] ?? '') as { rows: Array<Record<string, unknown>> }).rows;
    // the partition day holds the bytes; the day of the run holds the conversion
    expect(rows.find((r) => r.day === '2026-11-20')?.parquetBytes).toEqual(expect.any(Number));
    expect(Number(rows.find((r) => r.day === '2026-11-20')?.parquetBytes)).toBeGreaterThan(0);
    expect(runDay.find((r) => r.day === day)).toMatchObject({
      tenantId: tenant,
      conversions: 1,
      convertedRows: 40,
    });
  });

  it('refuses a bad range or tenant with exit code 1 and says why', async () => {
    for (const args of [
      ['--from', '2026-13-01'],
      ['--from', '2026-11-02', '--to', '2026-11-01'],
      ['--tenant', 'Not_A_Tenant'],
    ]) {
      const result = await cli(['usage', ...args, '--url', url, '--data-dir', dataDir]);
      expect(result.code).toBe(1);
      expect(result.out).toEqual([]);
      expect(result.err.join('\n')).toMatch(/from|tenant/);
    }
  });

  it('answers --help', async () => {
    const result = await cli(['usage', '--help']);
    expect(result.code).toBe(0);
    expect(result.out.join('\n')).toMatch(/Usage: oplake usage/);
  });
});
