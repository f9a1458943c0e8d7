/**
 * The AWS compaction path: Athena mocked (moto runs no SQL), S3 real on moto_server, so the
 * month's promotion (publish to parquet-v2-month/, delete the old month file, absorb the day
 * folders, clean staging) runs against S3; and a re-opened day's conversion reads its month rows.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { fakeAthenaCtas, motoLakeStore } from '../../../test/fixtures/fake-athena-ctas.js';
import { listAll } from '../../../test/fixtures/lake-reader.js';
import { compactMonth } from '../../compaction/compact.js';
import { convertPartition } from '../../conversion/convert.js';
import { ConversionEngineError } from '../../conversion/errors.js';
import { monthPartitionPrefix, partitionPrefix } from '../../domain/layout.js';
import { AthenaCompactionEngine } from './athena-compaction-engine.js';
import { AthenaConversionEngine } from './athena-conversion-engine.js';
import { AthenaRunner } from './athena-runner.js';
import { motoClientConfig } from './moto-kit.js';
import type { S3ObjectStore } from './s3-object-store.js';

const athena = mockClient(AthenaClient);
const T = 'acme';
const M = '2026-10';
const RUN = '20261110T010000000Z-abcd1234';
let s3: S3Client;
let store: S3ObjectStore;
let bucket: string;
let runner: AthenaRunner;
let started: StartQueryExecutionCommandInput[];

beforeAll(() => {
  s3 = new S3Client({ ...motoClientConfig(), forcePathStyle: true });
});

beforeEach(async () => {
  ({ bucket, store } = await motoLakeStore(s3));
  started = fakeAthenaCtas(athena, store, { filePrefix: '20261110_010000', files: ['a'], outputRows: 99 });
  runner = new AthenaRunner(new AthenaClient({ region: 'ap-northeast-1' }), { sleep: async () => undefined });
  await store.put(`${partitionPrefix('parquet', T, '2026-10-01')}r1-0.parquet`, 'PAR1-d1');
  await store.put(`${partitionPrefix('parquet', T, '2026-10-02')}r1-0.parquet`, 'PAR1-d2');
  await store.put(`${monthPartitionPrefix(T, M)}r0-0.parquet`, 'PAR1-m');
});

afterEach(() => {
  athena.reset();
});

const compaction = () =>
  new AthenaCompactionEngine(runner, store, {
    bucket,
    database: 'oplake',
    eventsTable: 'events_v2',
    monthTable: 'events_month',
    workgroup: 'oplake-nightly',
  });

describe('AthenaCompactionEngine + compactMonth on S3 (moto)', () => {
  it('runs one parameterised CTAS into staging, drops the table and promotes the month on S3', async () => {
    const result = await compactMonth(
      { store, engine: compaction() },
      { tenantId: T, month: M, days: ['2026-10-01', '2026-10-02'], runId: RUN },
    );

    expect(result).toMatchObject({ status: 'compacted', rows: 99, files: 1, days: 2, previousMonthFiles: 1 });
    const ctas = started[0];
    expect(ctas?.QueryString).toMatch(
      /^CREATE TABLE "oplake"\."tmp_comp_20261110t010000000z_abcd1234_acme_2026_10"/,
    );
    expect(ctas?.QueryString).toContain(
      `external_location = 's3://${bucket}/staging/${RUN}/tenant_id=acme/month=2026-10/'`,
    );
    expect(ctas?.ExecutionParameters).toEqual([
      "'acme'",
      "'2026-10'",
      "'acme'",
      "'2026-10-01'",
      "'2026-10-02'",
    ]);
    expect(started[1]?.QueryString).toBe(
      'DROP TABLE IF EXISTS `oplake`.`tmp_comp_20261110t010000000z_abcd1234_acme_2026_10`',
    );
    expect(await listAll(store, monthPartitionPrefix(T))).toEqual([
      `${monthPartitionPrefix(T, M)}${RUN}-0.parquet`,
    ]);
    expect(await listAll(store, partitionPrefix('parquet', T))).toEqual([]);
    expect(await listAll(store, 'staging/')).toEqual([]);
  });

  it('a failed CTAS leaves the lake as it was (the table still dropped)', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'HIVE_BAD_DATA' } },
    });

    await expect(
      compactMonth(
        { store, engine: compaction() },
        { tenantId: T, month: M, days: ['2026-10-01'], runId: RUN },
      ),
    ).rejects.toThrow(ConversionEngineError);
    expect(started.map((s) => s.QueryString?.slice(0, 12))).toEqual(['CREATE TABLE', 'DROP TABLE I']);
    expect(await listAll(store, partitionPrefix('parquet', T, '2026-10-01'))).toHaveLength(1);
    expect(await listAll(store, monthPartitionPrefix(T))).toEqual([
      `${monthPartitionPrefix(T, M)}r0-0.parquet`,
    ]);
  });

  it("a re-opened day's conversion reads the day's rows of the month table, never deletes the month file", async () => {
    await store.put(`${partitionPrefix('raw', T, '2026-10-05')}late.json.gz`, 'raw');
    const conversion = new AthenaConversionEngine(runner, store, {
      bucket,
      database: 'oplake',
      rawTable: 'raw_events',
      eventsTable: 'events_v2',
      legacyTable: 'events',
      monthTable: 'events_month',
      workgroup: 'oplake-nightly',
    });

    await convertPartition({ store, engine: conversion }, { tenantId: T, dt: '2026-10-05', runId: RUN });

    expect(started[0]?.QueryString).toContain(
      'FROM "oplake"."events_month"\n  WHERE "tenant_id" = ? AND "month" = ? AND "dt" = ?',
    );
    expect(started[0]?.ExecutionParameters?.slice(-3)).toEqual(["'acme'", "'2026-10'", "'2026-10-05'"]);
    expect(await listAll(store, monthPartitionPrefix(T))).toEqual([
      `${monthPartitionPrefix(T, M)}r0-0.parquet`,
    ]);
  });
});
