/**
 * AWS composition root of the dlq-sweeper (EventBridge Scheduler, every 15 minutes by default):
 * every DLQ of OPLAKE_DLQ_SOURCES and the Firehose error prefix of the lake bucket.
 */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { FirehoseDeliveryStream } from '../../shared/adapters/aws/firehose-delivery-stream.js';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.js';
import { SnsAlerter } from '../../shared/adapters/aws/sns-alerter.js';
import { SqsDeadLetters } from '../../shared/adapters/aws/sqs-dead-letters.js';
import { createObservability } from '../../shared/observability/index.js';
import { systemClock } from '../../shared/ports/clock.js';
import { readDlqSweeperEnv } from './config.js';
import { createDlqSweeperHandler } from './create-handler.js';

const config = readDlqSweeperEnv(process.env);
const obs = createObservability('dlq-sweeper');
const { tracer } = obs;
const sqs = tracer.captureAWSv3Client(new SQSClient({}));

export const handler = createDlqSweeperHandler({
  sources: config.sources.map((source) => new SqsDeadLetters(sqs, source)),
  store: new S3ObjectStore(tracer.captureAWSv3Client(new S3Client({})), config.lakeBucket),
  stream: new FirehoseDeliveryStream({
    client: tracer.captureAWSv3Client(new FirehoseClient({})),
    streams: config.firehoseStreams,
  }),
  alerter: new SnsAlerter(tracer.captureAWSv3Client(new SNSClient({})), config.alertTopicArn),
  clock: systemClock,
  config: config.sweep,
  obs,
});
