/**
 * The dlq-sweeper's AWS composition root (functions/dlq-sweeper/handler.ts) against moto_server:
 * an SQS queue with its DLQ (redrive policy), the lake bucket, a Firehose stream, and the SNS
 * alert topic with an SQS subscriber to read what was published.
 */
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { motoClientConfig, motoEndpoint, uniqueName } from '../../shared/adapters/aws/moto-kit.js';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.js';
import { readArchive } from '../../shared/dlq/archive.js';
import { recordFailure } from '../../shared/dlq/failure-record.js';
import type { SweepSummary } from '../../shared/dlq/summary.js';
import { batchBody } from './pipeline-kit.js';

const context = {
  functionName: 'oplake-dlq-sweeper',
  awsRequestId: 'r1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

async function queueWithDlq(sqs: SQSClient) {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('oplake-batches-dlq') }));
  const dlqUrl = dlq.QueueUrl ?? '';
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const main = await sqs.send(
    new CreateQueueCommand({
      QueueName: uniqueName('oplake-batches'),
      Attributes: {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: attrs.Attributes?.QueueArn,
          maxReceiveCount: 1,
        }),
      },
    }),
  );
  return { queueUrl: main.QueueUrl ?? '', dlqUrl };
}

async function receiveAll(sqs: SQSClient, url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const answer = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    if (!answer.Messages?.length) return bodies;
    bodies.push(...answer.Messages.map((m) => m.Body ?? ''));
  }
}

describe('dlq-sweeper handler.ts on moto_server', () => {
  it('redrives the transient letter, archives the permanent one, re-ingests Firehose errors, alerts once per cause via SNS', async () => {
    // Prepare: infrastructure
    const config = motoClientConfig();
    const sqs = new SQSClient(config);
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    const lake = uniqueName('oplake-lake');
    await s3.send(
      new CreateBucketCommand({
        Bucket: lake,
        CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-1' },
      }),
    );
    const stream = uniqueName('oplake-stream');
    await new FirehoseClient(config).send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: stream,
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          BucketARN: `arn:aws:s3:::${lake}`,
          RoleARN: 'arn:aws:iam::123456789012:role/firehose',
          Prefix: 'raw/',
        },
      }),
    );
    const sns = new SNSClient(config);
    const topicArn =
      (await sns.send(new CreateTopicCommand({ Name: uniqueName('oplake-alarms') }))).TopicArn ?? '';
    const inbox =
      (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('alerts-inbox') }))).QueueUrl ?? '';
    const inboxArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inbox, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: inboxArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const batches = await queueWithDlq(sqs);

    // Prepare: two messages fail (recorded as split records them) and reach the DLQ.
    const store = new S3ObjectStore(s3, lake);
    const transient = batchBody(1);
    const poison = '{"v":1,"tenantId":"acme-corp","events":"not a list"}';
    for (const body of [transient, poison]) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: batches.queueUrl,
          MessageBody: body,
          MessageGroupId: 'acme-corp',
        }),
      );
    }
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $retryable: { throttling: true },
    });
    const bad = Object.assign(new Error('events: expected array'), { name: 'BatchMessageError' });
    const now = new Date();
    await recordFailure(store, {
      body: transient,
      error: throttled,
      recordedBy: 'split',
      now,
      receiveCount: 1,
    });
    await recordFailure(store, { body: poison, error: bad, recordedBy: 'split', now, receiveCount: 1 });
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: batches.queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      }),
    );
    expect(await receiveAll(sqs, batches.queueUrl)).toEqual([]); // moved to the DLQ by the redrive policy
    // A Firehose error object: one record of two events.
    const raw = ['e-1', 'e-2']
      .map((id) =>
        JSON.stringify({ tenant_id: 'acme-corp', dt: '2026-11-24', device_id: 'pc-1', event_id: id }),
      )
      .join('\n');
    const errorRecord = {
      errorCode: 'DynamicPartitioning.ActivePartitionsLimitExceeded',
      errorMessage: 'limit',
      rawData: Buffer.from(`${raw}\n`).toString('base64'),
    };
    await s3.send(
      new PutObjectCommand({
        Bucket: lake,
        Key: 'errors/firehose/activePartitionExceeded/2026/11/24/x',
        Body: `${JSON.stringify(errorRecord)}\n`,
      }),
    );

    Object.assign(process.env, {
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_REGION: 'ap-northeast-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_TRACE_ENABLED: 'false',
      OPLAKE_LAKE_BUCKET: lake,
      OPLAKE_DLQ_SOURCES: JSON.stringify([{ name: 'batches', ...batches }]),
      OPLAKE_FIREHOSE_STREAMS: stream,
      OPLAKE_ALERT_TOPIC_ARN: topicArn,
    });
    const { handler } = await import('../../functions/dlq-sweeper/handler.js');

    // Act
    const summary: SweepSummary = await handler({}, context);
    const second: SweepSummary = await handler({}, context);

    // Assess
    expect(summary.sources.batches).toMatchObject({
      seen: 2,
      transient: 1,
      permanent: 1,
      redriven: 1,
      archived: 1,
      errors: [],
    });
    expect(summary.sources.firehose).toMatchObject({ seen: 1, redriven: 1, archived: 0, errors: [] });
    expect(second).toMatchObject({ redriven: 0, archived: 0, alerts: 0 });
    expect(await receiveAll(sqs, batches.queueUrl)).toEqual([transient]);
    expect(await receiveAll(sqs, batches.dlqUrl)).toEqual([]);
    const archived = [];
    for await (const record of readArchive(store, { source: 'batches' })) archived.push(record);
    expect(archived.map((r) => [r.body, r.errorClass, r.attempts])).toEqual([
      [poison, 'BatchMessageError', 1],
    ]);
    const rawKeys =
      (await s3.send(new ListObjectsV2Command({ Bucket: lake, Prefix: 'raw/' }))).Contents ?? [];
    const delivered = await Promise.all(
      rawKeys.map(
        async (o) =>
          (await (
            await s3.send(new GetObjectCommand({ Bucket: lake, Key: o.Key }))
          ).Body?.transformToString()) ?? '',
      ),
    );
    expect(
      delivered
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { event_id: string }).event_id),
    ).toEqual(['e-1', 'e-2']);
    const alerts = await receiveAll(sqs, inbox);
    expect(alerts).toHaveLength(2);
    expect(alerts.join('\n')).toContain('key: permanent_failures:batches:BatchMessageError');
    expect(alerts.join('\n')).toContain(
      'key: firehose_delivery:DynamicPartitioning.ActivePartitionsLimitExceeded',
    );
  });
});
