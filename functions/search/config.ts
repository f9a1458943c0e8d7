/**
 * The search function's settings, read once from the environment by the composition roots.
 *
 * AWS (handler.ts):
 * | variable                        | required | meaning                                                      |
 * | ------------------------------- | -------- | ------------------------------------------------------------ |
 * | OPLAKE_GLUE_DATABASE            | yes      | Glue database of the tables below                            |
 * | OPLAKE_RAW_TABLE                | no       | default `raw_events`                                         |
 * | OPLAKE_EVENTS_TABLE             | no       | default `events_v2` (parquet-v2/, typed ts)                  |
 * | OPLAKE_LEGACY_EVENTS_TABLE      | no       | default `events` (the previous layout, parquet/); "" = none  |
 * | OPLAKE_MONTH_EVENTS_TABLE       | no       | default `events_month` (compacted months, parquet-v2-month/); "" = none |
 * | OPLAKE_ATHENA_WORKGROUPS        | yes      | comma list: the workgroup pool (tenant -> shardOf(tenant, n)) |
 * | OPLAKE_WORKGROUP_OVERRIDES      | no       | JSON {"tenant": "workgroup"} for heavy tenants               |
 * | OPLAKE_ATHENA_OUTPUT            | no       | s3:// result location, when the workgroup does not enforce one |
 * | OPLAKE_KEYS_PARAMETER           | yes      | SSM SecureString: the token key set (cursor keys derive from it) |
 * | OPLAKE_QUERY_TABLE              | yes      | DynamoDB table (pk S, TTL `ttl`): query owners and slots     |
 * | OPLAKE_LAKE_BUCKET              | yes      | lake bucket (usage/: the usage meter's records)              |
 * | OPLAKE_MAX_CONCURRENT_QUERIES   | no       | per-tenant concurrent queries (default 3)                    |
 * | OPLAKE_WAIT_BUDGET_MS           | no       | wait before answering 202 (default 10000)                    |
 * | OPLAKE_RESULT_REUSE_MINUTES     | no       | Athena result reuse max age for past ranges (default 15, 0 = off) |
 *
 * Local mode (readLocalSearchEnv): OPLAKE_SCAN_CUTOFF_BYTES (default 1 GiB, the local twin of the
 * workgroup cutoff, measured on the files a query touches), OPLAKE_MAX_CONCURRENT_QUERIES,
 * OPLAKE_WAIT_BUDGET_MS. On AWS the cutoff is the workgroups' own setting (Terraform).
 */
import { z } from 'zod';
import { type Env, frozen, int, json, list, optional, required } from '../../shared/config/env.js';
import { ConfigError } from '../../shared/errors.js';

export interface SearchEnvConfig {
  glueDatabase: string;
  tables: { raw: string; events: string; legacy: string | null; month: string | null };
  workgroups: string[];
  workgroupOverrides: Record<string, string>;
  athenaOutput: string | undefined;
  keysParameter: string;
  queryTable: string;
  lakeBucket: string;
  maxConcurrentQueries: number;
  waitBudgetMs: number;
  resultReuseMinutes: number;
}

export interface LocalSearchEnvConfig {
  scanCutoffBytes: number;
  maxConcurrentQueries: number;
  waitBudgetMs: number;
}

const overridesSchema = z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{2,62}$/), z.string().min(1));

export function readSearchEnv(env: Env): Readonly<SearchEnvConfig> {
  const athenaOutput = optional(env, 'OPLAKE_ATHENA_OUTPUT');
  if (athenaOutput !== undefined && !/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/.test(athenaOutput)) {
    throw new ConfigError(`Environment variable OPLAKE_ATHENA_OUTPUT must be an s3:// URI: ${athenaOutput}`);
  }
  return frozen({
    glueDatabase: required(env, 'OPLAKE_GLUE_DATABASE'),
    tables: {
      raw: optional(env, 'OPLAKE_RAW_TABLE', 'raw_events'),
      events: optional(env, 'OPLAKE_EVENTS_TABLE', 'events_v2'),
      // Empty once no day of the previous layout remains (docs/deploy.md "Upgrading the layout").
      legacy:
        env.OPLAKE_LEGACY_EVENTS_TABLE === '' ? null : optional(env, 'OPLAKE_LEGACY_EVENTS_TABLE', 'events'),
      // Compacted months (docs/nightly.md "Compaction"); "" only for a lake that never compacts.
      month:
        env.OPLAKE_MONTH_EVENTS_TABLE === ''
          ? null
          : optional(env, 'OPLAKE_MONTH_EVENTS_TABLE', 'events_month'),
    },
    workgroups: list(env, 'OPLAKE_ATHENA_WORKGROUPS'),
    workgroupOverrides: json(env, 'OPLAKE_WORKGROUP_OVERRIDES', (v) => overridesSchema.parse(v), {}),
    athenaOutput,
    keysParameter: required(env, 'OPLAKE_KEYS_PARAMETER'),
    queryTable: required(env, 'OPLAKE_QUERY_TABLE'),
    lakeBucket: required(env, 'OPLAKE_LAKE_BUCKET'),
    ...shared(env),
    resultReuseMinutes: int(env, 'OPLAKE_RESULT_REUSE_MINUTES', { fallback: 15, min: 0, max: 10_080 }),
  });
}

export function readLocalSearchEnv(env: Env): Readonly<LocalSearchEnvConfig> {
  return frozen({
    scanCutoffBytes: int(env, 'OPLAKE_SCAN_CUTOFF_BYTES', { fallback: 1024 ** 3, min: 1 }),
    ...shared(env),
  });
}

function shared(env: Env): { maxConcurrentQueries: number; waitBudgetMs: number } {
  return {
    maxConcurrentQueries: int(env, 'OPLAKE_MAX_CONCURRENT_QUERIES', { fallback: 3, min: 1, max: 1000 }),
    waitBudgetMs: int(env, 'OPLAKE_WAIT_BUDGET_MS', { fallback: 10_000, min: 0, max: 14 * 60_000 }),
  };
}

/** A search slot is held at most this long when nobody polls the query to its end. */
export const LEASE_MS = 20 * 60_000;
/** A 202 query id stays reachable this long (Athena results live a day in the result bucket). */
export const QUERY_TTL_MS = 24 * 3_600_000;
