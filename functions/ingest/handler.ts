/**
 * AWS composition root of ingest (function URL, BUFFERED): reads the config once at cold start
 * and wires the AWS adapters. Local mode builds the same handler with its own adapters.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.js';
import { SqsMessageQueue } from '../../shared/adapters/aws/sqs-message-queue.js';
import { SsmKeySetSource } from '../../shared/adapters/aws/ssm-key-set.js';
import { RateLimiter } from '../../shared/ingest/rate-limiter.js';
import { createObservability } from '../../shared/observability/index.js';
import { systemClock } from '../../shared/ports/clock.js';
import { LakeUsageMeter } from '../../shared/usage/lake-usage-meter.js';
import { readIngestEnv } from './config.js';
import { createIngestHandler } from './create-handler.js';
import { DEFAULT_INGEST_CONFIG } from './ingest.js';

const config = readIngestEnv(process.env);
const obs = createObservability('ingest');
const { tracer } = obs;

const store = new S3ObjectStore(tracer.captureAWSv3Client(new S3Client({})), config.lakeBucket);

export const handler = createIngestHandler({
  keys: new SsmKeySetSource(
    new SSMProvider({ awsSdkV3Client: tracer.captureAWSv3Client(new SSMClient({})) }),
    config.keysParameter,
  ),
  queue: new SqsMessageQueue(tracer.captureAWSv3Client(new SQSClient({})), config.batchQueueUrl),
  store,
  idempotency: new DynamoDBPersistenceLayer({
    tableName: config.idempotencyTable,
    keyAttr: 'id',
    awsSdkV3Client: tracer.captureAWSv3Client(new DynamoDBClient({})),
  }),
  limiter: new RateLimiter({ limits: config.rateLimits, expectedConcurrency: config.expectedConcurrency }),
  clock: systemClock,
  obs,
  config: { ...DEFAULT_INGEST_CONFIG, idempotencyTtlSeconds: config.idempotencyTtlSeconds },
  usage: new LakeUsageMeter(store, systemClock),
});
