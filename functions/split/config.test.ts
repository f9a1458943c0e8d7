import { describe, expect, it } from '@jest/globals';
import { readSplitEnv } from './config.js';

describe('readSplitEnv', () => {
  it('reads the bucket and the stream list', () => {
    expect(
      readSplitEnv({ OPLAKE_LAKE_BUCKET: 'lake', OPLAKE_FIREHOSE_STREAMS: 'oplake-0, oplake-1' }),
    ).toEqual({
      lakeBucket: 'lake',
      firehoseStreams: ['oplake-0', 'oplake-1'],
    });
  });

  it('fails naming a missing variable', () => {
    expect(() => readSplitEnv({ OPLAKE_LAKE_BUCKET: 'lake' })).toThrow(
      'Environment variable OPLAKE_FIREHOSE_STREAMS is required',
    );
  });
});
