import { describe, expect, it } from '@jest/globals';

describe('ingest composition root', () => {
  it('builds the handler from the environment at import', async () => {
    // Prepare
    process.env.OPLAKE_BATCH_QUEUE_URL =
      'https://sqs.ap-northeast-1.amazonaws.com/123456789012/oplake-batches';
    process.env.OPLAKE_LAKE_BUCKET = 'oplake-lake';
    process.env.OPLAKE_IDEMPOTENCY_TABLE = 'oplake-idempotency';
    process.env.OPLAKE_KEYS_PARAMETER = '/oplake/keys';
    // Act
    const module = await import('./handler.js');
    // Assess
    expect(typeof module.handler).toBe('function');
  });
});
