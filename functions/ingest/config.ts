/**
 * The ingest function's settings, read once from the environment by handler.ts:
 *
 * | variable                              | required | meaning                                            |
 * | ------------------------------------- | -------- | -------------------------------------------------- |
 * | OPLAKE_BATCH_QUEUE_URL                | yes      | SQS batch queue (standard, MaximumMessageSize 1 MiB) |
 * | OPLAKE_LAKE_BUCKET                    | yes      | lake bucket (spool/ claim checks, rejects/)        |
 * | OPLAKE_IDEMPOTENCY_TABLE              | yes      | DynamoDB table, partition key `id` (string), TTL on `expiration` |
 * | OPLAKE_KEYS_PARAMETER                 | yes      | SSM SecureString holding the token key set JSON    |
 * | OPLAKE_INGEST_RATE_LIMITS             | no       | `{"default":{"eventsPerSecond","bytesPerSecond"},"tenants":{"acme":{...}}}` |
 * | OPLAKE_INGEST_EXPECTED_CONCURRENCY    | no       | instances sharing a tenant's rate (default 1)      |
 * | OPLAKE_IDEMPOTENCY_TTL_SECONDS        | no       | how long batch ids are remembered (default 86400)  |
 */
import { type Env, frozen, int, json, required } from '../../shared/config/env.js';
import {
  DEFAULT_RATE_LIMITS,
  type RateLimitConfig,
  rateLimitConfigSchema,
} from '../../shared/ingest/rate-limiter.js';
import { DEFAULT_INGEST_CONFIG } from './ingest.js';

export interface IngestEnvConfig {
  batchQueueUrl: string;
  lakeBucket: string;
  idempotencyTable: string;
  keysParameter: string;
  rateLimits: RateLimitConfig;
  expectedConcurrency: number;
  idempotencyTtlSeconds: number;
}

export function readIngestEnv(env: Env): Readonly<IngestEnvConfig> {
  return frozen({
    batchQueueUrl: required(env, 'OPLAKE_BATCH_QUEUE_URL'),
    lakeBucket: required(env, 'OPLAKE_LAKE_BUCKET'),
    idempotencyTable: required(env, 'OPLAKE_IDEMPOTENCY_TABLE'),
    keysParameter: required(env, 'OPLAKE_KEYS_PARAMETER'),
    rateLimits: json(
      env,
      'OPLAKE_INGEST_RATE_LIMITS',
      (value) => rateLimitConfigSchema.parse(value) as RateLimitConfig,
      DEFAULT_RATE_LIMITS,
    ),
    expectedConcurrency: int(env, 'OPLAKE_INGEST_EXPECTED_CONCURRENCY', { fallback: 1, min: 1, max: 10_000 }),
    idempotencyTtlSeconds: int(env, 'OPLAKE_IDEMPOTENCY_TTL_SECONDS', {
      fallback: DEFAULT_INGEST_CONFIG.idempotencyTtlSeconds,
      min: 60,
      max: 30 * 24 * 3600,
    }),
  });
}
