/**
 * The dev server's intraday timer on a real runtime (files, DuckDB, the local workflow): a tick
 * converts today's pending data in intraday mode; a tick while another run is under way is skipped
 * (never queued, never overlapping); the timer runs by itself every interval; the defaults.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { writeRawLake } from '../../../test/fixtures/raw-lake.js';
import { partitionPrefix } from '../../domain/layout.js';
import { readLocalConfig } from '../runtime/config.js';
import { createLocalRuntime, type LocalRuntime } from '../runtime/runtime.js';
import { startIntradayTimer } from './intraday-timer.js';
import { runLocalNightly } from './nightly-routes.js';

const TODAY = '2026-11-24';
const clock = { now: () => new Date(`${TODAY}T10:00:00.000Z`) };
const runtimes: LocalRuntime[] = [];
const dirs: string[] = [];
let runtime: LocalRuntime;

async function rawLeft(): Promise<number> {
  let n = 0;
  for await (const _ of runtime.store.list(partitionPrefix('raw', 'tenant-000', TODAY))) n++;
  return n;
}

beforeEach(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oplake-intraday-timer-'));
  dirs.push(dataDir);
  runtime = await createLocalRuntime({ dataDir, background: false, logLevel: 'SILENT', clock });
  runtimes.push(runtime);
  await writeRawLake(runtime.store, { tenants: 1, days: 1, lastDay: TODAY, eventsPerTenantDay: 60 });
});

afterAll(async () => {
  for (const r of runtimes) await r.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('intraday timer', () => {
  it('a tick converts today in intraday mode; a tick during another run is skipped', async () => {
    const timer = startIntradayTimer(runtime, { intervalMs: 0, minRawBytes: 0 });
    const nightly = runLocalNightly(runtime, {});

    const skipped = await timer.tick();
    const night = await nightly;

    expect(skipped).toBeNull();
    expect(night).toMatchObject({ mode: 'nightly', targets: 1 });
    await writeRawLake(runtime.store, {
      tenants: 1,
      days: 1,
      lastDay: TODAY,
      eventsPerTenantDay: 10,
      objectTag: 'b',
    });
    expect(await timer.tick()).toMatchObject({ mode: 'intraday', date: TODAY, targets: 1, succeeded: 1 });
    expect(await rawLeft()).toBe(0);
    await timer.stop();
    expect(await timer.tick()).toBeNull();
  });

  it('runs by itself every interval, and stop() waits for the run in progress', async () => {
    const timer = startIntradayTimer(runtime, { intervalMs: 50, minRawBytes: 0 });
    const deadline = Date.now() + 20_000;
    while ((await rawLeft()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await timer.stop();

    expect(await rawLeft()).toBe(0);
  });

  it('defaults: hourly, any pending bytes; both configurable, 0 turns the timer off', () => {
    expect(readLocalConfig({}).intraday).toEqual({ intervalMs: 3_600_000, minRawBytes: 0 });
    expect(
      readLocalConfig({ OPLAKE_INTRADAY_INTERVAL_MS: '0', OPLAKE_INTRADAY_MIN_RAW_BYTES: '65536' }).intraday,
    ).toEqual({ intervalMs: 0, minRawBytes: 65_536 });
    expect(() => readLocalConfig({ OPLAKE_INTRADAY_INTERVAL_MS: 'hourly' })).toThrow(
      'OPLAKE_INTRADAY_INTERVAL_MS',
    );
  });
});
