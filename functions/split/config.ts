/**
 * The split function's settings, read once from the environment by handler.ts:
 *
 * | variable                 | required | meaning                                                        |
 * | ------------------------ | -------- | -------------------------------------------------------------- |
 * | OPLAKE_LAKE_BUCKET       | yes      | lake bucket (spool/ claim checks, rejects/)                    |
 * | OPLAKE_FIREHOSE_STREAMS  | yes      | comma-separated stream names; tenant T uses streams[shardOf(T, n)] |
 */
import { type Env, frozen, list, required } from '../../shared/config/env.js';

export interface SplitEnvConfig {
  lakeBucket: string;
  firehoseStreams: readonly string[];
}

export function readSplitEnv(env: Env): Readonly<SplitEnvConfig> {
  return frozen({
    lakeBucket: required(env, 'OPLAKE_LAKE_BUCKET'),
    firehoseStreams: list(env, 'OPLAKE_FIREHOSE_STREAMS'),
  });
}
