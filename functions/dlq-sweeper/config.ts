/**
 * The dlq-sweeper's settings, read once from the environment by handler.ts:
 *
 * | variable                 | required | meaning                                                                 |
 * | ------------------------ | -------- | ----------------------------------------------------------------------- |
 * | OPLAKE_LAKE_BUCKET       | yes      | lake bucket: failures/, archive/dlq/, state/alerts/, errors/firehose/   |
 * | OPLAKE_DLQ_SOURCES       | yes      | JSON `[{"name", "dlqUrl", "queueUrl"}]`: every dead-letter queue and its source |
 * | OPLAKE_FIREHOSE_STREAMS  | yes      | comma-separated streams (re-ingest of Firehose error records, as split) |
 * | OPLAKE_ALERT_TOPIC_ARN   | yes      | SNS topic of critical alerts                                            |
 * | OPLAKE_SWEEP_RULES       | no       | rules and thresholds (shared/dlq/settings.ts), JSON                     |
 */
import { z } from 'zod';
import { type Env, frozen, json, list, required } from '../../shared/config/env.js';
import { assertSource } from '../../shared/dlq/archive.js';
import { sweepConfigFrom } from '../../shared/dlq/settings.js';
import { DEFAULT_SWEEP_CONFIG, type SweepConfig } from '../../shared/dlq/sweep.js';

const sourcesSchema = z
  .array(
    z
      .object({
        name: z.string().refine((n) => {
          try {
            assertSource(n);
            return true;
          } catch {
            return false;
          }
        }, 'a source name is 1-63 of [a-z0-9-]'),
        dlqUrl: z.string().url(),
        queueUrl: z.string().url(),
      })
      .strict(),
  )
  .min(1);

export type DlqSourceConfig = z.infer<typeof sourcesSchema>[number];

export interface DlqSweeperEnvConfig {
  lakeBucket: string;
  sources: DlqSourceConfig[];
  firehoseStreams: string[];
  alertTopicArn: string;
  sweep: SweepConfig;
}

export function readDlqSweeperEnv(env: Env): Readonly<DlqSweeperEnvConfig> {
  required(env, 'OPLAKE_DLQ_SOURCES'); // fails loudly, naming it, when absent
  return frozen({
    lakeBucket: required(env, 'OPLAKE_LAKE_BUCKET'),
    sources: json(env, 'OPLAKE_DLQ_SOURCES', (v) => sourcesSchema.parse(v), []),
    firehoseStreams: list(env, 'OPLAKE_FIREHOSE_STREAMS'),
    alertTopicArn: required(env, 'OPLAKE_ALERT_TOPIC_ARN'),
    sweep: json(env, 'OPLAKE_SWEEP_RULES', sweepConfigFrom, { ...DEFAULT_SWEEP_CONFIG }),
  });
}
