/**
 * AWS composition root of search (function URL): reads the config once at cold start and wires
 * Athena (workgroup pool), DynamoDB (query owners, per-tenant slots) and the SSM key set.
 * Local mode builds the same handler with DuckDB and in-memory state (local.ts).
 */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AthenaRunner } from '../../shared/adapters/aws/athena-runner.js';
import { AthenaSearchEngine } from '../../shared/adapters/aws/athena-search-engine.js';
import {
  DynamoDbConcurrencyLimiter,
  DynamoDbQueryRegistry,
} from '../../shared/adapters/aws/dynamodb-query-registry.js';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.js';
import { SsmKeySetSource } from '../../shared/adapters/aws/ssm-key-set.js';
import { createObservability } from '../../shared/observability/index.js';
import { systemClock } from '../../shared/ports/clock.js';
import { LakeUsageMeter } from '../../shared/usage/lake-usage-meter.js';
import { LEASE_MS, QUERY_TTL_MS, readSearchEnv } from './config.js';
import { createSearchHandler } from './create-handler.js';

const config = readSearchEnv(process.env);
const observability = createObservability('search');
const { tracer } = observability;
const athena = tracer.captureAWSv3Client(new AthenaClient({}));
const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({}));

export const handler = createSearchHandler({
  engine: new AthenaSearchEngine(athena, new AthenaRunner(athena), {
    database: config.glueDatabase,
    workgroups: config.workgroups,
    overrides: config.workgroupOverrides,
    ...(config.athenaOutput ? { outputLocation: config.athenaOutput } : {}),
    resultReuseMinutes: config.resultReuseMinutes,
  }),
  limiter: new DynamoDbConcurrencyLimiter(dynamodb, config.queryTable, {
    maxConcurrent: config.maxConcurrentQueries,
    leaseMs: LEASE_MS,
  }),
  registry: new DynamoDbQueryRegistry(dynamodb, config.queryTable),
  keys: new SsmKeySetSource(
    new SSMProvider({ awsSdkV3Client: tracer.captureAWSv3Client(new SSMClient({})) }),
    config.keysParameter,
  ),
  clock: systemClock,
  waitBudgetMs: config.waitBudgetMs,
  queryTtlMs: QUERY_TTL_MS,
  observability,
  usage: new LakeUsageMeter(
    new S3ObjectStore(tracer.captureAWSv3Client(new S3Client({})), config.lakeBucket),
    systemClock,
  ),
});
