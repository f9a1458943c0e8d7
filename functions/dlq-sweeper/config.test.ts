import { describe, expect, it } from '@jest/globals';
import { readDlqSweeperEnv } from './config.js';

const env = {
  OPLAKE_LAKE_BUCKET: 'lake',
  OPLAKE_DLQ_SOURCES: JSON.stringify([
    { name: 'batches', dlqUrl: 'https://sqs.example/1/b-dlq', queueUrl: 'https://sqs.example/1/b' },
  ]),
  OPLAKE_FIREHOSE_STREAMS: 'oplake-0,oplake-1',
  OPLAKE_ALERT_TOPIC_ARN: 'arn:aws:sns:ap-northeast-1:123456789012:oplake-alarms',
};

describe('readDlqSweeperEnv', () => {
  it('reads the sources, streams and topic, with the default rules', () => {
    const config = readDlqSweeperEnv(env);
    expect(config.sources).toEqual([
      { name: 'batches', dlqUrl: 'https://sqs.example/1/b-dlq', queueUrl: 'https://sqs.example/1/b' },
    ]);
    expect(config.firehoseStreams).toEqual(['oplake-0', 'oplake-1']);
    expect(config.sweep).toMatchObject({ maxRedrives: 3, backoffBaseMs: 900_000 });
    expect(config.sweep.alerts).toMatchObject({ permanentThreshold: 1, dedupWindowMs: 6 * 3600_000 });
  });

  it('takes rules from OPLAKE_SWEEP_RULES, adding error classes to the defaults', () => {
    const config = readDlqSweeperEnv({
      ...env,
      OPLAKE_SWEEP_RULES:
        '{"maxRedrives": 5, "backoffMinutes": 1, "dedupHours": 1, "permanentErrors": ["MyBadInput"]}',
    });
    expect(config.sweep).toMatchObject({ maxRedrives: 5, backoffBaseMs: 60_000 });
    expect(config.sweep.alerts.dedupWindowMs).toBe(3600_000);
    expect(config.sweep.classify.permanentErrors).toContain('MyBadInput');
    expect(config.sweep.classify.permanentErrors).toContain('BatchMessageError');
  });

  it('fails naming a missing or malformed variable', () => {
    const { OPLAKE_DLQ_SOURCES: _omit, ...without } = env;
    expect(() => readDlqSweeperEnv(without)).toThrow('Environment variable OPLAKE_DLQ_SOURCES is required');
    expect(() =>
      readDlqSweeperEnv({ ...env, OPLAKE_DLQ_SOURCES: '[{"name":"Bad Name","dlqUrl":"x"}]' }),
    ).toThrow('Environment variable OPLAKE_DLQ_SOURCES is not valid');
    expect(() => readDlqSweeperEnv({ ...env, OPLAKE_SWEEP_RULES: '{"maxRedrives": -1}' })).toThrow(
      'Environment variable OPLAKE_SWEEP_RULES is not valid',
    );
    expect(() => readDlqSweeperEnv({ ...env, OPLAKE_SWEEP_RULES: '{"unknownRule": 1}' })).toThrow(
      'Environment variable OPLAKE_SWEEP_RULES is not valid',
    );
  });
});
