import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { DEFAULT_RETENTION } from '../../shared/conversion/retention.js';
import { partitionPrefix } from '../../shared/domain/layout.js';
import { InvalidRequestError } from '../../shared/errors.js';
import { createObservability } from '../../shared/observability/index.js';
import { readNightlyEnv } from './config.js';
import { type MetricSink, type NightlyDeps, runAction } from './core.js';
import { createNightlyHandler } from './create-handler.js';

const dirs: string[] = [];
let store: FileObjectStore;
let metrics: { name: string; value: number }[];
let deps: NightlyDeps;
const clock = { now: () => new Date('2026-11-24T01:00:00Z') };

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-nightly-fn-'));
  dirs.push(dir);
  store = new FileObjectStore(dir);
  metrics = [];
  const sink: MetricSink = { addMetric: (name, _unit, value) => metrics.push({ name, value }) };
  deps = { store, clock, metrics: sink, defaultMaxConcurrency: 8 };
  await store.put(`${partitionPrefix('raw', 'acme', '2026-11-23')}a.json.gz`, 'x');
  await store.put(`${partitionPrefix('raw', 'acme', '2026-11-24')}b.json.gz`, 'x');
});

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('nightly actions', () => {
  it('discover defaults the date to today (UTC) and the concurrency to the configured one', async () => {
    const out = await runAction({ action: 'discover', input: {} }, deps);

    expect(out).toMatchObject({
      date: '2026-11-24',
      maxConcurrency: 8,
      targets: 2,
      items: [{ tenantId: 'acme', dates: ['2026-11-23', '2026-11-24'] }],
    });
    expect((out as { runId: string }).runId).toMatch(/^20261124T010000000Z-[0-9a-f]{8}$/);
  });

  it('discover takes a date and a concurrency (capped at 40) from the input', async () => {
    const out = await runAction(
      { action: 'discover', input: { date: '2026-11-23', maxConcurrency: 100 } },
      deps,
    );

    expect(out).toMatchObject({ date: '2026-11-23', maxConcurrency: 40, targets: 1 });
  });

  it('discover caps the tenants of one execution, oldest pending day first', async () => {
    await store.put(`${partitionPrefix('raw', 'beta', '2026-11-01')}a.json.gz`, 'x');
    await store.put(`${partitionPrefix('raw', 'gamma', '2026-11-20')}a.json.gz`, 'x');

    const out = await runAction(
      { action: 'discover', input: { date: '2026-11-24' } },
      { ...deps, maxTenantsPerRun: 2 },
    );

    expect(out).toMatchObject({
      targets: 2,
      items: [
        { tenantId: 'beta', dates: ['2026-11-01'] },
        { tenantId: 'gamma', dates: ['2026-11-20'] },
      ],
      deferredTenants: 1,
      deferredTargets: 2,
    });
  });

  it('discover refuses a malformed date', async () => {
    await expect(runAction({ action: 'discover', input: { date: '23/11/2026' } }, deps)).rejects.toThrow(
      InvalidRequestError,
    );
  });

  it('summarise counts tenant-days and emits NightlyTenantFailures', async () => {
    const summary = await runAction(
      {
        action: 'summarise',
        date: '2026-11-23',
        runId: 'r',
        targets: 3,
        results: [
          { tenantId: 'acme', dates: ['2026-11-22', '2026-11-23'], ok: true, converted: 2, rows: 10 },
          {
            tenantId: 'beta',
            dates: ['2026-11-23'],
            ok: false,
            error: 'Oplake.ConversionFailed',
            cause: 'boom',
          },
        ],
      },
      deps,
    );

    expect(summary).toEqual({
      date: '2026-11-23',
      runId: 'r',
      targets: 3,
      succeeded: 2,
      failed: 1,
      deferredTenants: 0,
      deferredTargets: 0,
      tenants: 2,
      failedTenants: ['beta'],
      rows: 10,
      failures: [{ tenantId: 'beta', error: 'Oplake.ConversionFailed', cause: 'boom' }],
    });
    expect(metrics).toContainEqual({ name: 'NightlyTenantFailures', value: 1 });
  });

  it('housekeep applies retention', async () => {
    await store.put(`${partitionPrefix('archiveRaw', 'acme', '2026-11-01')}a.json.gz`, 'x');

    const report = await runAction({ action: 'housekeep', date: '2026-11-24' }, deps);

    expect(report).toMatchObject({ deletedObjects: 1 });
  });

  it('the Lambda handler runs an action', async () => {
    const handler = createNightlyHandler({
      store,
      clock,
      defaultMaxConcurrency: 4,
      obs: createObservability('nightly', { local: true, logLevel: 'SILENT' }),
    });

    const out = await handler({ action: 'discover', input: { date: '2026-11-23' } }, {
      functionName: 'oplake-nightly',
      awsRequestId: 'r',
      getRemainingTimeInMillis: () => 1000,
    } as Context);

    expect(out).toMatchObject({ targets: 1, maxConcurrency: 4 });
  });
});

describe('nightly config', () => {
  it('reads defaults and a retention policy', () => {
    const config = readNightlyEnv({
      OPLAKE_LAKE_BUCKET: 'b',
      OPLAKE_RETENTION: '{"archiveRawDays":3,"perTenant":{"acme":{"parquetDays":365}}}',
    });

    expect(config).toEqual({
      lakeBucket: 'b',
      maxConcurrency: 8,
      maxTenantsPerRun: 1000,
      legacyDaysPerRun: 50,
      retention: { ...DEFAULT_RETENTION, archiveRawDays: 3, perTenant: { acme: { parquetDays: 365 } } },
      retentionAreas: ['parquet'],
    });
  });

  it('fails loudly on bad values', () => {
    expect(() => readNightlyEnv({})).toThrow('OPLAKE_LAKE_BUCKET');
    expect(() => readNightlyEnv({ OPLAKE_LAKE_BUCKET: 'b', OPLAKE_NIGHTLY_MAX_CONCURRENCY: '99' })).toThrow(
      'OPLAKE_NIGHTLY_MAX_CONCURRENCY',
    );
    expect(() => readNightlyEnv({ OPLAKE_LAKE_BUCKET: 'b', OPLAKE_RETENTION: '{"parquetDays":-1}' })).toThrow(
      'OPLAKE_RETENTION',
    );
    expect(() => readNightlyEnv({ OPLAKE_LAKE_BUCKET: 'b', OPLAKE_RETENTION_AREAS: 'parquet,nope' })).toThrow(
      'OPLAKE_RETENTION_AREAS',
    );
  });
});
