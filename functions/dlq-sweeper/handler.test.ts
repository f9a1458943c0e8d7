import { describe, expect, it } from '@jest/globals';

describe('dlq-sweeper composition root', () => {
  it('builds the handler from the environment at import', async () => {
    // Prepare
    Object.assign(process.env, {
      OPLAKE_LAKE_BUCKET: 'oplake-lake',
      OPLAKE_DLQ_SOURCES:
        '[{"name":"batches","dlqUrl":"https://sqs.example/1/d","queueUrl":"https://sqs.example/1/q"}]',
      OPLAKE_FIREHOSE_STREAMS: 'oplake-0',
      OPLAKE_ALERT_TOPIC_ARN: 'arn:aws:sns:ap-northeast-1:123456789012:oplake-alarms',
    });
    // Act
    const module = await import('./handler.js');
    // Assess
    expect(typeof module.handler).toBe('function');
  });
});
