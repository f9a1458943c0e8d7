/**
 * The AWS conversion path: Athena mocked (moto runs no SQL), S3 real on moto_server, so the
 * promotion (copy to parquet/, delete old, archive raw, clean staging) runs against S3.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { fakeAthenaCtas, motoLakeStore } from '../../../test/fixtures/fake-athena-ctas.js';
import { listAll } from '../../../test/fixtures/lake-reader.js';
import { convertPartition } from '../../conversion/convert.js';
import { ConversionEngineError } from '../../conversion/errors.js';
import { partitionPrefix } from '../../domain/layout.js';
import { AthenaConversionEngine, tempTableName } from './athena-conversion-engine.js';
import { AthenaRunner } from './athena-runner.js';
import { motoClientConfig } from './moto-kit.js';
import type { S3ObjectStore } from './s3-object-store.js';

const athena = mockClient(AthenaClient);
const T = 'acme';
const D = '2026-11-23';
let s3: S3Client;
let store: S3ObjectStore;
let bucket: string;
let engine: AthenaConversionEngine;
let started: StartQueryExecutionCommandInput[];

beforeAll(() => {
  s3 = new S3Client({ ...motoClientConfig(), forcePathStyle: true });
});

beforeEach(async () => {
  ({ bucket, store } = await motoLakeStore(s3));
  // A CTAS "writes" two files to its external_location; DROP TABLE writes nothing.
  started = fakeAthenaCtas(athena, store, {
    filePrefix: '20261124_010000',
    files: ['a', 'b'],
    outputRows: 42,
  });
  const runner = new AthenaRunner(new AthenaClient({ region: 'ap-northeast-1' }), {
    sleep: async () => undefined,
  });
  engine = new AthenaConversionEngine(runner, store, {
    bucket,
    database: 'oplake',
    rawTable: 'raw_events',
    eventsTable: 'events_v2',
    legacyTable: 'events',
    workgroup: 'oplake-nightly',
  });
  await store.put(`${partitionPrefix('raw', T, D)}fh-1.json.gz`, 'raw-1');
  await store.put(`${partitionPrefix('raw', T, D)}fh-2.json.gz`, 'raw-2');
  await store.put(`${partitionPrefix('parquet', T, D)}old-0.parquet`, 'PAR1-old');
});

afterEach(() => {
  athena.reset();
});

describe('AthenaConversionEngine + convertPartition on S3 (moto)', () => {
  it('runs one parameterised CTAS into staging, drops the table and promotes on S3', async () => {
    const result = await convertPartition(
      { store, engine },
      { tenantId: T, dt: D, runId: '20261124T010000000Z-abcd1234' },
    );

    expect(result).toMatchObject({
      status: 'converted',
      rows: 42,
      files: 2,
      previousFiles: 1,
      rawObjects: 2,
    });
    const ctas = started[0];
    expect(ctas?.QueryString).toMatch(
      /^CREATE TABLE "oplake"\."tmp_conv_20261124t010000000z_abcd1234_acme_2026_11_23"/,
    );
    expect(ctas?.QueryString).toContain(
      `external_location = 's3://${bucket}/staging/20261124T010000000Z-abcd1234/tenant_id=acme/dt=2026-11-23/'`,
    );
    expect(ctas?.ExecutionParameters?.slice(0, 2)).toEqual(["'acme'", "'2026-11-23'"]);
    expect(ctas?.WorkGroup).toBe('oplake-nightly');
    expect(started[1]?.QueryString).toBe(
      'DROP TABLE IF EXISTS `oplake`.`tmp_conv_20261124t010000000z_abcd1234_acme_2026_11_23`',
    );
    expect(await listAll(store, partitionPrefix('parquet', T, D))).toEqual([
      `${partitionPrefix('parquet', T, D)}20261124T010000000Z-abcd1234-0.parquet`,
      `${partitionPrefix('parquet', T, D)}20261124T010000000Z-abcd1234-1.parquet`,
    ]);
    expect(await listAll(store, partitionPrefix('raw', T))).toEqual([]);
    expect(await listAll(store, partitionPrefix('archiveRaw', T, D))).toHaveLength(2);
    expect(await listAll(store, 'staging/')).toEqual([]);
  });

  it('reads the previous layout through its own table only for a day that holds such files, and empties parquet/', async () => {
    const legacyKey = `${partitionPrefix('parquetV1', T, D)}v1-0.parquet`;
    await store.put(legacyKey, 'PAR1-v1');

    const result = await convertPartition(
      { store, engine },
      { tenantId: T, dt: D, runId: '20261124T010000000Z-abcd1234' },
    );
    const other = await convertPartition({ store, engine }, { tenantId: T, dt: '2026-11-22' });

    expect(result).toMatchObject({ status: 'converted', previousFiles: 2 });
    expect(started[0]?.QueryString).toContain('FROM "oplake"."events_v2"');
    expect(started[0]?.QueryString).toContain('FROM "oplake"."events"\n');
    expect(started[0]?.ExecutionParameters).toHaveLength(7);
    expect(await listAll(store, partitionPrefix('parquetV1', T))).toEqual([]);
    expect(await listAll(store, partitionPrefix('parquet', T, D))).toHaveLength(2);
    expect(other.status).toBe('nothing-to-do');
  });

  it("leaves the previous layout's table out when the day has no such file", async () => {
    await convertPartition({ store, engine }, { tenantId: T, dt: D });

    expect(started[0]?.QueryString).not.toContain('"oplake"."events"');
    expect(started[0]?.ExecutionParameters).toHaveLength(5);
  });

  it('drops the temporary table and leaves the lake untouched when the CTAS fails', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'HIVE_BAD_DATA' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });

    await expect(convertPartition({ store, engine }, { tenantId: T, dt: D })).rejects.toThrow(
      ConversionEngineError,
    );

    expect(started.map((s) => s.QueryString?.split(' ')[0])).toEqual(['CREATE', 'DROP']);
    expect(await listAll(store, partitionPrefix('raw', T, D))).toHaveLength(2);
    expect(await listAll(store, partitionPrefix('parquet', T, D))).toEqual([
      `${partitionPrefix('parquet', T, D)}old-0.parquet`,
    ]);
  });

  it('names temporary tables safely', () => {
    expect(
      tempTableName({
        tenantId: 'acme-corp',
        dt: D,
        runId: '20261124T010000000Z-ab12',
        rawKeys: [],
        parquetKeys: [],
        snapshotTime: '',
        stagingPrefix: '',
      }),
    ).toBe('tmp_conv_20261124t010000000z_ab12_acme_corp_2026_11_23');
  });
});
