/**
 * ctas-runner's settings, read once from the environment by handler.ts:
 *
 * | variable                       | required | meaning                                                    |
 * | ------------------------------ | -------- | ---------------------------------------------------------- |
 * | OPLAKE_LAKE_BUCKET             | yes      | lake bucket (raw/, parquet[-v2]/, staging/, archive/raw/) |
 * | OPLAKE_GLUE_DATABASE           | yes      | Glue database of the tables below                          |
 * | OPLAKE_ATHENA_WORKGROUP        | yes      | the conversion's own workgroup (not search's)              |
 * | OPLAKE_ATHENA_OUTPUT_LOCATION  | no       | s3:// query result location, if the workgroup sets none    |
 * | OPLAKE_RAW_TABLE               | no       | default `raw_events`                                       |
 * | OPLAKE_EVENTS_TABLE            | no       | default `events_v2` (Parquet under parquet-v2/, typed ts)  |
 * | OPLAKE_LEGACY_EVENTS_TABLE     | no       | default `events` (the previous layout under parquet/)      |
 * | OPLAKE_MONTH_EVENTS_TABLE      | no       | default `events_month` (compacted months, parquet-v2-month/) |
 * | OPLAKE_COMPACTION_MAX_MONTHS   | no       | months compacted per tenant a night (default 3; 0 = off)   |
 * | OPLAKE_COMPACTION_GRACE_DAYS   | no       | days after a month ends before it is compacted (default 3) |
 * | OPLAKE_COMPACTION_MAX_DAY_BYTES | no      | a day folder larger than this keeps its files (default 8 MiB) |
 */
import { type CompactionPolicy, DEFAULT_COMPACTION } from '../../shared/compaction/plan.js';
import { type Env, frozen, int, optional, required } from '../../shared/config/env.js';

export interface CtasRunnerEnvConfig {
  lakeBucket: string;
  database: string;
  workgroup: string;
  outputLocation: string | undefined;
  rawTable: string;
  eventsTable: string;
  legacyTable: string;
  monthTable: string;
  compaction: CompactionPolicy;
}

export function readCtasRunnerEnv(env: Env): Readonly<CtasRunnerEnvConfig> {
  return frozen({
    lakeBucket: required(env, 'OPLAKE_LAKE_BUCKET'),
    database: required(env, 'OPLAKE_GLUE_DATABASE'),
    workgroup: required(env, 'OPLAKE_ATHENA_WORKGROUP'),
    outputLocation: optional(env, 'OPLAKE_ATHENA_OUTPUT_LOCATION'),
    rawTable: optional(env, 'OPLAKE_RAW_TABLE', 'raw_events'),
    eventsTable: optional(env, 'OPLAKE_EVENTS_TABLE', 'events_v2'),
    legacyTable: optional(env, 'OPLAKE_LEGACY_EVENTS_TABLE', 'events'),
    monthTable: optional(env, 'OPLAKE_MONTH_EVENTS_TABLE', 'events_month'),
    compaction: {
      ...DEFAULT_COMPACTION,
      maxMonths: int(env, 'OPLAKE_COMPACTION_MAX_MONTHS', {
        fallback: DEFAULT_COMPACTION.maxMonths,
        min: 0,
        max: 120,
      }),
      graceDays: int(env, 'OPLAKE_COMPACTION_GRACE_DAYS', {
        fallback: DEFAULT_COMPACTION.graceDays,
        min: 0,
        max: 365,
      }),
      maxDayBytes: int(env, 'OPLAKE_COMPACTION_MAX_DAY_BYTES', {
        fallback: DEFAULT_COMPACTION.maxDayBytes,
        min: 0,
        max: 1024 * 1024 * 1024,
      }),
    },
  });
}
