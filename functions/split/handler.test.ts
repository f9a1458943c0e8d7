import { describe, expect, it } from '@jest/globals';

describe('split composition root', () => {
  it('builds the handler from the environment at import', async () => {
    // Prepare
    process.env.OPLAKE_LAKE_BUCKET = 'oplake-lake';
    process.env.OPLAKE_FIREHOSE_STREAMS = 'oplake-0,oplake-1';
    // Act
    const module = await import('./handler.js');
    // Assess
    expect(typeof module.handler).toBe('function');
  });
});
