import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../shared/errors.js';
import { readIngestEnv } from './config.js';

const BASE = {
  OPLAKE_BATCH_QUEUE_URL: 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/oplake-batches',
  OPLAKE_LAKE_BUCKET: 'oplake-lake',
  OPLAKE_IDEMPOTENCY_TABLE: 'oplake-idempotency',
  OPLAKE_KEYS_PARAMETER: '/oplake/keys',
};

describe('readIngestEnv', () => {
  it('reads the settings with defaults, frozen', () => {
    // Act
    const config = readIngestEnv(BASE);
    // Assess
    expect(config).toMatchObject({
      batchQueueUrl: BASE.OPLAKE_BATCH_QUEUE_URL,
      lakeBucket: 'oplake-lake',
      idempotencyTable: 'oplake-idempotency',
      keysParameter: '/oplake/keys',
      expectedConcurrency: 1,
      idempotencyTtlSeconds: 86400,
    });
    expect(config.rateLimits.default.eventsPerSecond).toBeGreaterThan(0);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads rate limits with per-tenant overrides', () => {
    // Act
    const config = readIngestEnv({
      ...BASE,
      OPLAKE_INGEST_RATE_LIMITS: JSON.stringify({
        default: { eventsPerSecond: 10, bytesPerSecond: 1000 },
        tenants: { 'acme-corp': { eventsPerSecond: 50, bytesPerSecond: 5000 } },
      }),
      OPLAKE_IDEMPOTENCY_TTL_SECONDS: '3600',
    });
    // Assess
    expect(config.rateLimits.tenants?.['acme-corp']?.eventsPerSecond).toBe(50);
    expect(config.idempotencyTtlSeconds).toBe(3600);
  });

  it.each(Object.keys(BASE))('fails naming %s when it is missing', (name) => {
    const env: Record<string, string> = { ...BASE };
    delete env[name];
    expect(() => readIngestEnv(env)).toThrow(new ConfigError(`Environment variable ${name} is required`));
  });

  it('fails on rate limits of the wrong shape', () => {
    expect(() =>
      readIngestEnv({ ...BASE, OPLAKE_INGEST_RATE_LIMITS: '{"default":{"eventsPerSecond":-1}}' }),
    ).toThrow(/OPLAKE_INGEST_RATE_LIMITS is not valid/);
  });
});
