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
import { type DiscoverOutput, type MetricSink, type NightlyDeps, runAction } from './core.js';
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
  deps = { store, bucket: 'lake', clock, metrics: sink, defaultMaxConcurrency: 8 };
  await store.put(`${partitionPrefix('raw', 'acme', '2026-11-23')}a.json.gz`, 'x');
  await store.put(`${partitionPrefix('raw', 'acme', '2026-11-24')}b.json.gz`, 'x');
});

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('nightly actions', () => {
  it('discover defaults the date to today (UTC), writes the work list as JSON Lines, names the result location', async () => {
    const out = (await runAction({ action: 'discover', input: {} }, deps)) as DiscoverOutput;

    expect(out).toMatchObject({
      date: '2026-11-24',
      maxConcurrency: 8,
      batchSize: 25,
      targets: 2,
      tenants: 1,
      workList: { bucket: 'lake', key: `nightly/${out.runId}/work-list.jsonl` },
      results: { bucket: 'lake', prefix: `nightly/${out.runId}/results/` },
      deferredTenants: 0,
    });
    expect(out.runId).toMatch(/^20261124T010000000Z-[0-9a-f]{8}$/);
    expect(Buffer.from((await store.get(out.workList.key)) ?? []).toString()).toBe(
      '{"tenantId":"acme","dates":["2026-11-23","2026-11-24"]}\n',
    );
  });

  it('discover takes a date and a concurrency from the input, never above the configured ceiling', async () => {
    const over = await runAction(
      { action: 'discover', input: { date: '2026-11-23', maxConcurrency: 100 } },
      deps,
    );
    const under = await runAction({ action: 'discover', input: { maxConcurrency: 3 } }, deps);

    expect(over).toMatchObject({ date: '2026-11-23', maxConcurrency: 8, targets: 1 });
    expect(under).toMatchObject({ maxConcurrency: 3 });
  });

  it('discover has no per-run cap by default: 1,600 tenants (over the old cap of 1,500) in one work list', async () => {
    const ids = Array.from({ length: 1600 }, (_, i) => `t-${String(i).padStart(5, '0')}`);
    await Promise.all(ids.map((t) => store.put(`${partitionPrefix('raw', t, '2026-11-23')}a.json.gz`, 'x')));

    const out = (await runAction(
      { action: 'discover', input: { date: '2026-11-23' } },
      deps,
    )) as DiscoverOutput;

    const lines = Buffer.from((await store.get(out.workList.key)) ?? [])
      .toString()
      .trim()
      .split('\n');
    expect(out).toMatchObject({ tenants: 1601, targets: 1601, deferredTenants: 0, deferredTargets: 0 });
    expect(lines).toHaveLength(1601);
    expect(JSON.parse(lines[1] ?? '')).toEqual({ tenantId: 't-00000', dates: ['2026-11-23'] });
  });

  it('discover caps the tenants of one execution, oldest pending day first', async () => {
    await store.put(`${partitionPrefix('raw', 'beta', '2026-11-01')}a.json.gz`, 'x');
    await store.put(`${partitionPrefix('raw', 'gamma', '2026-11-20')}a.json.gz`, 'x');

    const out = await runAction(
      { action: 'discover', input: { date: '2026-11-24' } },
      { ...deps, maxTenantsPerRun: 2 },
    );

    expect(out).toMatchObject({ targets: 2, tenants: 2, deferredTenants: 1, deferredTargets: 2 });
    const key = (out as DiscoverOutput).workList.key;
    expect(Buffer.from((await store.get(key)) ?? []).toString()).toBe(
      '{"tenantId":"beta","dates":["2026-11-01"]}\n{"tenantId":"gamma","dates":["2026-11-20"]}\n',
    );
  });

  it('discover refuses a malformed date', async () => {
    await expect(runAction({ action: 'discover', input: { date: '23/11/2026' } }, deps)).rejects.toThrow(
      InvalidRequestError,
    );
  });

  it('discover takes a mode: intraday answers it, keeps the hot days over the threshold; others are refused', async () => {
    await store.put(`${partitionPrefix('raw', 'acme', '2026-11-01')}old.json.gz`, 'xxxx');
    await store.put(`${partitionPrefix('raw', 'big', '2026-11-24')}c.json.gz`, 'x'.repeat(100));

    const nightly = (await runAction({ action: 'discover', input: {} }, deps)) as DiscoverOutput;
    const intraday = (await runAction(
      { action: 'discover', input: { mode: 'intraday' } },
      { ...deps, intradayMinRawBytes: 50 },
    )) as DiscoverOutput;

    expect(nightly).toMatchObject({ mode: 'nightly', targets: 4 });
    expect(intraday).toMatchObject({ mode: 'intraday', targets: 1, tenants: 1 });
    const list = Buffer.from((await store.get(intraday.workList.key)) ?? []).toString();
    expect(list).toBe('{"tenantId":"big","dates":["2026-11-24"]}\n');
    for (const mode of ['hourly', 3, true]) {
      await expect(runAction({ action: 'discover', input: { mode } }, deps)).rejects.toThrow(
        InvalidRequestError,
      );
    }
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
      mode: 'nightly',
      runId: 'r',
      targets: 3,
      succeeded: 2,
      failed: 1,
      deferredTenants: 0,
      deferredTargets: 0,
      tenants: 2,
      failedTenantCount: 1,
      failedTenants: ['beta'],
      rows: 10,
      failures: [{ tenantId: 'beta', error: 'Oplake.ConversionFailed', cause: 'boom' }],
    });
    expect(metrics).toContainEqual({ name: 'NightlyTenantFailures', value: 1 });
  });

  it('summarise reads the Distributed Map results ResultWriter wrote to S3', async () => {
    const prefix = 'nightly/r/results/run-1/';
    const child = (items: object[], extra: object) => ({
      Name: 'c',
      Input: JSON.stringify({ Items: items, BatchInput: { runId: 'r' } }),
      ...extra,
    });
    const acme = { tenantId: 'acme', dates: ['2026-11-23'] };
    const beta = { tenantId: 'beta', dates: ['2026-11-22', '2026-11-23'] };
    const gamma = { tenantId: 'gamma', dates: ['2026-11-23'] };
    await store.put(
      `${prefix}SUCCEEDED_0.json`,
      JSON.stringify([
        child([acme], {
          Status: 'SUCCEEDED',
          Output: JSON.stringify([{ ...acme, ok: true, converted: 1, rows: 7 }]),
        }),
      ]),
    );
    await store.put(
      `${prefix}FAILED_0.json`,
      JSON.stringify([
        child([beta, gamma], { Status: 'FAILED', Error: 'States.Runtime', Cause: 'bad path' }),
      ]),
    );
    await store.put(
      `${prefix}manifest.json`,
      JSON.stringify({
        DestinationBucket: 'lake',
        MapRunArn: 'arn',
        ResultFiles: {
          SUCCEEDED: [{ Key: `${prefix}SUCCEEDED_0.json`, Size: 1 }],
          FAILED: [{ Key: `${prefix}FAILED_0.json`, Size: 1 }],
          PENDING: [],
        },
      }),
    );

    const summary = await runAction(
      {
        action: 'summarise',
        date: '2026-11-23',
        runId: 'r',
        targets: 4,
        resultWriter: { Bucket: 'lake', Key: `${prefix}manifest.json` },
      },
      deps,
    );

    expect(summary).toMatchObject({
      targets: 4,
      succeeded: 1,
      failed: 3,
      tenants: 3,
      rows: 7,
      failedTenantCount: 2,
      failedTenants: ['beta', 'gamma'],
      failures: [
        { tenantId: 'beta', error: 'States.Runtime', cause: 'bad path' },
        { tenantId: 'gamma', error: 'States.Runtime', cause: 'bad path' },
      ],
    });
    expect(metrics).toContainEqual({ name: 'NightlyTenantFailures', value: 2 });
  });

  it('summarise refuses results outside the lake bucket or without any', async () => {
    const base = { action: 'summarise' as const, date: '2026-11-23', runId: 'r', targets: 0 };

    await expect(
      runAction({ ...base, resultWriter: { Bucket: 'other', Key: 'nightly/r/m.json' } }, deps),
    ).rejects.toThrow('bucket other');
    await expect(
      runAction({ ...base, resultWriter: { Bucket: 'lake', Key: 'nightly/r/missing.json' } }, deps),
    ).rejects.toThrow('missing');
    await expect(runAction(base, deps)).rejects.toThrow(InvalidRequestError);
  });

  it('housekeep applies retention', async () => {
    await store.put(`${partitionPrefix('archiveRaw', 'acme', '2026-11-01')}a.json.gz`, 'x');

    const report = await runAction({ action: 'housekeep', date: '2026-11-24' }, deps);

    expect(report).toMatchObject({ deletedObjects: 1 });
  });

  it('the Lambda handler runs an action', async () => {
    const handler = createNightlyHandler({
      store,
      bucket: 'lake',
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
      batchSize: 25,
      maxTenantsPerRun: undefined,
      legacyDaysPerRun: 50,
      intradayMinRawBytes: 64 * 1024 * 1024,
      retention: { ...DEFAULT_RETENTION, archiveRawDays: 3, perTenant: { acme: { parquetDays: 365 } } },
      retentionAreas: ['parquet'],
    });
  });

  it('reads the concurrency ceiling, the batch size and the optional back-pressure cap', () => {
    const config = readNightlyEnv({
      OPLAKE_LAKE_BUCKET: 'b',
      OPLAKE_NIGHTLY_MAX_CONCURRENCY: '75',
      OPLAKE_NIGHTLY_BATCH_SIZE: '20',
      OPLAKE_NIGHTLY_MAX_TENANTS: '5000',
    });

    expect(config).toMatchObject({ maxConcurrency: 75, batchSize: 20, maxTenantsPerRun: 5000 });
  });

  it('fails loudly on bad values', () => {
    expect(() => readNightlyEnv({})).toThrow('OPLAKE_LAKE_BUCKET');
    expect(() =>
      readNightlyEnv({ OPLAKE_LAKE_BUCKET: 'b', OPLAKE_NIGHTLY_MAX_CONCURRENCY: '10001' }),
    ).toThrow('OPLAKE_NIGHTLY_MAX_CONCURRENCY');
    expect(() => readNightlyEnv({ OPLAKE_LAKE_BUCKET: 'b', OPLAKE_RETENTION: '{"parquetDays":-1}' })).toThrow(
      'OPLAKE_RETENTION',
    );
    expect(() => readNightlyEnv({ OPLAKE_LAKE_BUCKET: 'b', OPLAKE_NIGHTLY_BATCH_SIZE: '0' })).toThrow(
      'OPLAKE_NIGHTLY_BATCH_SIZE',
    );
    expect(() => readNightlyEnv({ OPLAKE_LAKE_BUCKET: 'b', OPLAKE_NIGHTLY_MAX_TENANTS: 'x' })).toThrow(
      'OPLAKE_NIGHTLY_MAX_TENANTS',
    );
    expect(() => readNightlyEnv({ OPLAKE_LAKE_BUCKET: 'b', OPLAKE_RETENTION_AREAS: 'parquet,nope' })).toThrow(
      'OPLAKE_RETENTION_AREAS',
    );
  });
});
