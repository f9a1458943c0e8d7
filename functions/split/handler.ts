/**
 * AWS composition root of split (SQS event source with ReportBatchItemFailures): reads the
 * config once at cold start and wires the AWS adapters.
 */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { FirehoseDeliveryStream } from '../../shared/adapters/aws/firehose-delivery-stream.js';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.js';
import { createObservability } from '../../shared/observability/index.js';
import { systemClock } from '../../shared/ports/clock.js';
import { LakeUsageMeter } from '../../shared/usage/lake-usage-meter.js';
import { readSplitEnv } from './config.js';
import { createSplitHandler } from './create-handler.js';

const config = readSplitEnv(process.env);
const obs = createObservability('split');
const { tracer } = obs;
const store = new S3ObjectStore(tracer.captureAWSv3Client(new S3Client({})), config.lakeBucket);

export const handler = createSplitHandler({
  stream: new FirehoseDeliveryStream({
    client: tracer.captureAWSv3Client(new FirehoseClient({})),
    streams: config.firehoseStreams,
  }),
  store,
  clock: systemClock,
  obs,
  usage: new LakeUsageMeter(store, systemClock),
});
