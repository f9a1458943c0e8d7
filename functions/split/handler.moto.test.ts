/** The AWS composition root end to end against moto_server: SQS event in, Firehose to S3 out. */

import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Context, SQSEvent } from 'aws-lambda';
import { motoClientConfig, motoEndpoint, uniqueName } from '../../shared/adapters/aws/moto-kit.js';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.js';
import { expirationTime, expireObjects } from '../../shared/adapters/local/lifecycle.js';
import { type BatchMessage, spoolKey } from '../../shared/domain/batch-message.js';
import { sqsRecord } from '../../shared/local/runtime/sqs-record.js';
import type { ObjectInfo } from '../../shared/ports/object-store.js';
import { spoolExpirationDays } from '../../test/fixtures/terraform-values.js';

const message: BatchMessage = {
  v: 1,
  tenantId: 'acme-corp',
  batchId: 'b-aws',
  deviceId: 'pc-001',
  derivation: 'position',
  receivedAt: '2026-11-24T01:00:00.000Z',
  events: [0, 1, 2].map((index) => ({
    index,
    deviceId: 'pc-001',
    event: { type: 'app' as const, ts: `2026-11-24T09:15:0${index}+09:00`, app: 'excel.exe' },
  })),
  rejects: [{ index: 3, reason: 'type: is required', event: {} }],
};

const context = {
  functionName: 'oplake-split',
  awsRequestId: 'r1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

interface Deployed {
  s3: S3Client;
  raw: string;
  lake: string;
  handler: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
}

/** Buckets and a stream on moto, the environment handler.ts reads, then handler.ts itself (once). */
async function deploy(): Promise<Deployed> {
  const config = motoClientConfig();
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const raw = uniqueName('oplake-raw');
  const lake = uniqueName('oplake-lake');
  for (const bucket of [raw, lake]) {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-1' },
      }),
    );
  }
  const stream = uniqueName('oplake-stream');
  await new FirehoseClient(config).send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: stream,
      DeliveryStreamType: 'DirectPut',
      ExtendedS3DestinationConfiguration: {
        BucketARN: `arn:aws:s3:::${raw}`,
        RoleARN: 'arn:aws:iam::123456789012:role/firehose',
        Prefix: 'raw/',
      },
    }),
  );
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: motoEndpoint(),
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    OPLAKE_LAKE_BUCKET: lake,
    OPLAKE_FIREHOSE_STREAMS: stream,
  });
  const { handler } = await import('./handler.js');
  return { s3, raw, lake, handler };
}

function sqsEvent(body: string, messageId = 'm-1'): SQSEvent {
  return {
    Records: [
      sqsRecord({
        messageId,
        receiptHandle: 'rh',
        body,
        queueArn: 'arn:aws:sqs:ap-northeast-1:123456789012:q',
      }),
    ],
  };
}

async function keys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key ?? '');
}

async function text(s3: S3Client, bucket: string, key: string): Promise<string> {
  const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await body.Body?.transformToString()) ?? '';
}

/** Every JSON line under raw/ (moto's Firehose writes one plain object per call). */
async function rawLines(s3: S3Client, raw: string): Promise<{ ts: string; batch_id: string }[]> {
  const lines: { ts: string; batch_id: string }[] = [];
  for (const key of await keys(s3, raw, 'raw/')) {
    for (const line of (await text(s3, raw, key)).split('\n'))
      if (line !== '') lines.push(JSON.parse(line) as { ts: string; batch_id: string });
  }
  return lines;
}

async function first(objects: AsyncIterable<ObjectInfo>): Promise<ObjectInfo> {
  for await (const object of objects) return object;
  throw new Error('no object listed');
}

describe('split handler.ts on moto_server', () => {
  let deployed: Deployed;

  beforeAll(async () => {
    deployed = await deploy();
  });

  it('delivers a batch through Firehose into the raw bucket and writes its rejects', async () => {
    // Prepare
    const { s3, raw, lake, handler } = deployed;
    // Act
    const response = await handler(sqsEvent(JSON.stringify(message)), context);
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const lines = (await rawLines(s3, raw)).filter((l) => l.batch_id === 'b-aws');
    expect(lines.map((l) => l.ts)).toEqual([
      '2026-11-24T00:15:00.000Z',
      '2026-11-24T00:15:01.000Z',
      '2026-11-24T00:15:02.000Z',
    ]);
    expect(await keys(s3, lake, 'rejects/')).toContain(
      'rejects/tenant_id=acme-corp/dt=2026-11-24/b-aws~pc-001.json',
    );
  });

  it('delivers a claim-checked batch once, leaving its receipt in S3 in place of the body', async () => {
    // Prepare
    const { s3, raw, lake, handler } = deployed;
    const key = spoolKey('acme-corp', 'moto-delivered');
    await s3.send(
      new PutObjectCommand({
        Bucket: lake,
        Key: key,
        Body: JSON.stringify({ ...message, batchId: 'b-spooled' }),
      }),
    );
    const claim = JSON.stringify({ v: 1, tenantId: 'acme-corp', claimCheck: key });
    // Act: the message, then a redelivery of it (SQS is at least once).
    const first = await handler(sqsEvent(claim), context);
    const again = await handler(sqsEvent(claim), context);
    // Assess
    expect(first).toEqual({ batchItemFailures: [] });
    expect(again).toEqual({ batchItemFailures: [] });
    const lines = (await rawLines(s3, raw)).filter((l) => l.batch_id === 'b-spooled');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(await text(s3, lake, key))).toMatchObject({
      kind: 'delivered',
      batchId: 'b-spooled',
      events: 3,
    });
  });

  it('fails a claim check whose S3 body the lifecycle rule expired before delivery, delivering nothing', async () => {
    // Prepare: the body, then the spool/ rule Terraform deploys applied on S3 at its due time
    // (the object's own LastModified + the rule's days, rounded up to midnight UTC, as S3 does).
    const { s3, raw, lake, handler } = deployed;
    const before = (await rawLines(s3, raw)).length;
    const key = spoolKey('acme-corp', 'moto-expired');
    await s3.send(new PutObjectCommand({ Bucket: lake, Key: key, Body: JSON.stringify(message) }));
    const store = new S3ObjectStore(s3, lake);
    const rule = { prefix: 'spool/', expirationDays: spoolExpirationDays() };
    const written = await first(store.list(key));
    const due = expirationTime(written.lastModified, rule.expirationDays);
    expect(await expireObjects(store, [rule], new Date(due.getTime() - 1))).not.toContain(key);
    expect(await expireObjects(store, [rule], due)).toContain(key);
    const claim = JSON.stringify({ v: 1, tenantId: 'acme-corp', claimCheck: key });
    // Act
    const response = await handler(sqsEvent(claim, 'm-expired'), context);
    // Assess: a batch item failure (SQS keeps the message, then dead-letters it), recorded by class.
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-expired' }] });
    expect((await rawLines(s3, raw)).length).toBe(before);
    const records = await keys(s3, lake, 'failures/');
    const classes = await Promise.all(
      records.map(async (k) => (JSON.parse(await text(s3, lake, k)) as { errorClass: string }).errorClass),
    );
    expect(classes).toEqual(['SpoolObjectMissingError']);
  });
});
