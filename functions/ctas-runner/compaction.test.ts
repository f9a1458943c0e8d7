/**
 * ctas-runner with compaction: after a tenant's dates convert, its closed small months are
 * compacted in the same task (real files, DuckDB); a compaction failure fails the tenant with its
 * own error (the workflow retries it; the dates already converted are no-ops); compaction waits
 * when a date failed or the function is short of time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DuckDbCompactionEngine } from '../../shared/adapters/local/duckdb-compaction-engine.js';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { DEFAULT_COMPACTION } from '../../shared/compaction/plan.js';
import { compactTenant } from '../../shared/compaction/run.js';
import { convertPartition } from '../../shared/conversion/convert.js';
import { monthPartitionPrefix, partitionPrefix } from '../../shared/domain/layout.js';
import { LocalTaskCallbacks } from '../../shared/local/workflow/local-task-callbacks.js';
import { createObservability } from '../../shared/observability/index.js';
import { readParquetRows } from '../../test/fixtures/lake-reader.js';
import { type RawLake, writeRawLake } from '../../test/fixtures/raw-lake.js';
import { parseFanOutMessage, runTenant, TASK_ERRORS } from './core.js';
import { createCtasRunnerHandler } from './create-handler.js';

const DAYS = ['2026-10-29', '2026-10-30', '2026-10-31'];
const clock = { now: () => new Date('2026-11-10T01:00:00Z') };
const dirs: string[] = [];
let store: FileObjectStore;
let conversion: DuckDbConversionEngine;
let compaction: DuckDbCompactionEngine;
let callbacks: LocalTaskCallbacks;
let lake: RawLake;

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-ctas-compact-'));
  dirs.push(dir);
  store = new FileObjectStore(dir);
  conversion = new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 });
  compaction = new DuckDbCompactionEngine(store, { memoryLimit: '256MB', threads: 1 });
  callbacks = new LocalTaskCallbacks();
  lake = await writeRawLake(store, { tenants: 1, days: 3, lastDay: '2026-10-31', eventsPerTenantDay: 90 });
});
afterEach(async () => {
  await conversion.close();
  await compaction.close();
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const T = 'tenant-000';
const convert = (tenantId: string, dt: string) =>
  convertPartition({ store, engine: conversion, clock }, { tenantId, dt });

describe('ctas-runner compaction after the conversion', () => {
  it('converts the dates, then compacts the closed month into one file in the same task', async () => {
    // Prepare
    const task = callbacks.issue();
    const handler = createCtasRunnerHandler({
      store,
      engine: conversion,
      callbacks,
      clock,
      obs: createObservability('ctas-runner', { local: true, logLevel: 'SILENT' }),
      compaction: { engine: compaction, policy: DEFAULT_COMPACTION },
    });
    const body = JSON.stringify({ taskToken: task.token, tenantId: T, dates: DAYS, runId: 'r1' });
    // Act
    const response = await handler(
      {
        Records: [
          {
            messageId: 'm-1',
            receiptHandle: 'h',
            body,
            attributes: {} as never,
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:ap-northeast-1:123456789012:oplake-fanout',
            awsRegion: 'ap-northeast-1',
          },
        ],
      },
      { getRemainingTimeInMillis: () => 600_000 } as never,
    );
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await task.settled).toMatchObject({ tenantId: T, ok: true, converted: 3, compactedMonths: 1 });
    const rows = await readParquetRows(store, monthPartitionPrefix(T, '2026-10'));
    const expected = DAYS.reduce((n, dt) => n + (lake.expected.get(T)?.get(dt)?.size ?? 0), 0);
    expect(rows).toHaveLength(expected);
    expect(await store.listPrefixes(partitionPrefix('parquet', T))).toEqual([]);
  });

  it('an intraday message converts only: no compaction (the night does it)', async () => {
    const task = callbacks.issue();
    const compactCalls: string[] = [];
    const outcome = await runTenant(
      parseFanOutMessage(
        JSON.stringify({ taskToken: task.token, tenantId: T, dates: DAYS, runId: 'r1', mode: 'intraday' }),
      ),
      {
        callbacks,
        convert,
        compact: (tenantId) => {
          compactCalls.push(tenantId);
          return compactTenant({ store, engine: compaction, clock, policy: DEFAULT_COMPACTION }, tenantId);
        },
      },
    );
    expect(outcome).toEqual({ tenantId: T, dates: DAYS, ok: true, converted: 3, rows: expect.any(Number) });
    expect(compactCalls).toEqual([]);
    expect(await store.listPrefixes(monthPartitionPrefix(T))).toEqual([]);
    await expect(task.settled).resolves.toMatchObject({ ok: true });
    expect(() =>
      parseFanOutMessage(
        JSON.stringify({ taskToken: 't', tenantId: T, dates: DAYS, runId: 'r', mode: 'hourly' }),
      ),
    ).toThrow('mode must be nightly or intraday');
  });

  it('a failing compaction fails the tenant with its own error; the converted dates stay converted', async () => {
    const task = callbacks.issue();
    const outcome = await runTenant(
      { taskToken: task.token, tenantId: T, dates: DAYS, runId: 'r1' },
      {
        callbacks,
        convert,
        compact: async () => {
          throw new Error('athena said no');
        },
      },
    );
    expect(outcome).toMatchObject({ ok: false, error: TASK_ERRORS.compactionFailed });
    expect(outcome.cause).toContain('compaction: Error: athena said no');
    await expect(task.settled).rejects.toThrow();
    expect(await store.listPrefixes(partitionPrefix('raw', T))).toEqual([]);
    expect(await store.listPrefixes(partitionPrefix('parquet', T))).toHaveLength(3);
  });

  it('does not compact when a date failed or when the function is short of time', async () => {
    let compactions = 0;
    const compact = async () => {
      compactions++;
      return [];
    };
    const first = callbacks.issue();
    const failing = first.settled.catch((error: unknown) => error);
    const failed = await runTenant(
      { taskToken: first.token, tenantId: T, dates: ['2026-10-29'], runId: 'r1' },
      { callbacks, compact, convert: async () => Promise.reject(new Error('boom')) },
    );
    // Time enough for the date (130 s left), not for the compaction after it (110 s).
    const left = [130_000, 110_000];
    const late = await runTenant(
      { taskToken: callbacks.issue().token, tenantId: T, dates: ['2026-10-29'], runId: 'r1' },
      { callbacks, compact, convert, remainingMs: () => left.shift() ?? 0, reserveMs: 120_000 },
    );
    expect(await failing).toMatchObject({ name: TASK_ERRORS.conversionFailed });
    expect(failed.ok).toBe(false);
    expect(late).toMatchObject({ ok: true, compactedMonths: 0 });
    expect(compactions).toBe(0);
  });
});
