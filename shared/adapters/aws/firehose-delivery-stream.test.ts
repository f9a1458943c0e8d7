import {
  CreateDeliveryStreamCommand,
  FirehoseClient,
  InvalidArgumentException,
  PutRecordBatchCommand,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { shardOf } from '../../domain/layout.js';
import { DeliveryError, type DeliveryRecord } from '../../ports/delivery-stream.js';
import { chunks, FirehoseDeliveryStream } from './firehose-delivery-stream.js';
import { motoClientConfig, uniqueName } from './moto-kit.js';

function record(tenantId: string, n: number, bytes = 40): DeliveryRecord {
  const line = `${JSON.stringify({ tenant_id: tenantId, n, pad: 'x'.repeat(Math.max(0, bytes - 40)) })}\n`;
  return { tenantId, dt: '2026-11-24', data: Buffer.from(line), events: 1 };
}

const noSleep = async () => undefined;

describe('FirehoseDeliveryStream against moto_server', () => {
  it('delivers every record into the stream bucket, sharding tenants over the streams', async () => {
    // Prepare
    const s3 = new S3Client({ ...motoClientConfig(), forcePathStyle: true });
    const firehose = new FirehoseClient(motoClientConfig());
    const bucket = uniqueName('oplake-raw');
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-1' },
      }),
    );
    const streams = [uniqueName('oplake-s0'), uniqueName('oplake-s1')];
    for (const [i, name] of streams.entries()) {
      await firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: name,
          DeliveryStreamType: 'DirectPut',
          ExtendedS3DestinationConfiguration: {
            BucketARN: `arn:aws:s3:::${bucket}`,
            RoleARN: 'arn:aws:iam::123456789012:role/firehose',
            Prefix: `raw/shard=${i}/`,
          },
        }),
      );
    }
    const stream = new FirehoseDeliveryStream({ client: firehose, streams });
    const tenants = ['acme-corp', 'globex', 'initech', 'umbrella'];
    const records = tenants.flatMap((t) => [record(t, 1), record(t, 2)]);
    // Act
    await stream.putRecords(records);
    // Assess
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const lines: string[] = [];
    for (const object of listed.Contents ?? []) {
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      const text = (await body.Body?.transformToString()) ?? '';
      const shard = Number(/raw\/shard=(\d)\//.exec(object.Key ?? '')?.[1]);
      for (const line of text.split('\n').filter((l) => l !== '')) {
        const tenant = (JSON.parse(line) as { tenant_id: string }).tenant_id;
        expect(shardOf(tenant, 2)).toBe(shard);
        lines.push(line);
      }
    }
    expect(lines.sort()).toEqual(records.map((r) => Buffer.from(r.data).toString().trim()).sort());
  });
});

describe('FirehoseDeliveryStream retries (aws-sdk-client-mock)', () => {
  let client: FirehoseClient;
  let firehose: AwsClientStub<FirehoseClient>;

  beforeEach(() => {
    client = new FirehoseClient({ region: 'ap-northeast-1' });
    firehose = mockClient(client);
  });

  afterEach(() => {
    firehose.restore();
  });

  it('resends only the entries that failed (FailedPutCount > 0)', async () => {
    // Prepare
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 2,
        RequestResponses: [
          { RecordId: 'r0' },
          { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'slow down' },
          { RecordId: 'r2' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
        ],
      })
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'r1' }, { RecordId: 'r3' }] });
    const delays: number[] = [];
    const stream = new FirehoseDeliveryStream({
      client,
      streams: ['s0'],
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
    });
    const records = [0, 1, 2, 3].map((n) => record('acme-corp', n));
    // Act
    await stream.putRecords(records);
    // Assess
    const calls = firehose.commandCalls(PutRecordBatchCommand);
    expect(calls).toHaveLength(2);
    const resent = calls[1]?.args[0].input.Records?.map((r) => Buffer.from(r.Data ?? []).toString());
    expect(resent).toEqual([1, 3].map((n) => Buffer.from(record('acme-corp', n).data).toString()));
    expect(delays).toEqual([100]);
  });

  it('retries a throttled call, then succeeds', async () => {
    // Prepare
    firehose
      .on(PutRecordBatchCommand)
      .rejectsOnce(new ServiceUnavailableException({ message: 'throttled', $metadata: {} }))
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'r0' }] });
    const stream = new FirehoseDeliveryStream({
      client,
      streams: ['s0'],
      sleep: noSleep,
    });
    // Act
    await stream.putRecords([record('acme-corp', 0)]);
    // Assess
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(2);
  });

  it('gives up with DeliveryError after its attempts, counting the records still failing', async () => {
    // Prepare
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 1,
        RequestResponses: [
          { RecordId: 'r0' },
          { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'x' },
        ],
      })
      .callsFake((input: { Records: unknown[] }) => ({
        FailedPutCount: input.Records.length,
        RequestResponses: input.Records.map(() => ({
          ErrorCode: 'ServiceUnavailableException',
          ErrorMessage: 'x',
        })),
      }));
    const stream = new FirehoseDeliveryStream({
      client,
      streams: ['s0'],
      maxAttempts: 3,
      sleep: noSleep,
    });
    // Act
    const outcome = stream.putRecords([record('acme-corp', 0), record('acme-corp', 1)]);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(DeliveryError);
    await expect(outcome).rejects.toMatchObject({ failedRecords: 1 });
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(3);
  });

  it('does not retry a call Firehose refuses for good', async () => {
    // Prepare
    firehose
      .on(PutRecordBatchCommand)
      .rejects(new InvalidArgumentException({ message: 'bad', $metadata: { httpStatusCode: 400 } }));
    const stream = new FirehoseDeliveryStream({
      client,
      streams: ['s0'],
      sleep: noSleep,
    });
    // Act
    const outcome = stream.putRecords([record('acme-corp', 0)]);
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(DeliveryError);
    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(1);
  });

  it('splits calls at 500 records and at 4 MiB', () => {
    // Prepare
    const many = Array.from({ length: 1001 }, (_, n) => record('acme-corp', n));
    const big = Array.from({ length: 9 }, (_, n) => record('acme-corp', n, 1000 * 1024));
    // Act
    const byCount = chunks(many);
    const bySize = chunks(big);
    // Assess
    expect(byCount.map((c) => c.length)).toEqual([500, 500, 1]);
    expect(bySize.map((c) => c.length)).toEqual([4, 4, 1]);
  });
});
