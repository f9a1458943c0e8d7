/** The AWS composition root end to end against moto_server: SQS event in, Firehose to S3 out. */

import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from '@jest/globals';
import type { Context, SQSEvent } from 'aws-lambda';
import { motoClientConfig, motoEndpoint, uniqueName } from '../../shared/adapters/aws/moto-kit.js';
import type { BatchMessage } from '../../shared/domain/batch-message.js';
import { sqsRecord } from '../../shared/local/runtime/sqs-record.js';

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

describe('split handler.ts on moto_server', () => {
  it('delivers a batch through Firehose into the raw bucket and writes its rejects', async () => {
    // Prepare
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
    const event: SQSEvent = {
      Records: [
        sqsRecord({
          messageId: 'm-1',
          receiptHandle: 'rh',
          body: JSON.stringify(message),
          queueArn: 'arn:aws:sqs:ap-northeast-1:123456789012:q',
        }),
      ],
    };
    // Act
    const response = await handler(event, context);
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const objects = (await s3.send(new ListObjectsV2Command({ Bucket: raw }))).Contents ?? [];
    const lines: string[] = [];
    for (const object of objects) {
      const body = await s3.send(new GetObjectCommand({ Bucket: raw, Key: object.Key }));
      lines.push(...((await body.Body?.transformToString()) ?? '').split('\n').filter((l) => l !== ''));
    }
    expect(lines.map((l) => (JSON.parse(l) as { ts: string }).ts)).toEqual([
      '2026-11-24T00:15:00.000Z',
      '2026-11-24T00:15:01.000Z',
      '2026-11-24T00:15:02.000Z',
    ]);
    const rejects =
      (await s3.send(new ListObjectsV2Command({ Bucket: lake, Prefix: 'rejects/' }))).Contents ?? [];
    expect(rejects.map((o) => o.Key)).toEqual([
      'rejects/tenant_id=acme-corp/dt=2026-11-24/b-aws~pc-001.json',
    ]);
  });
});
