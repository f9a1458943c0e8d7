/**
 * The nightly function's settings (discover / housekeep / summarise), read once by handler.ts:
 *
 * | variable                        | required | meaning                                                         |
 * | ------------------------------- | -------- | --------------------------------------------------------------- |
 * | OPLAKE_LAKE_BUCKET              | yes      | lake bucket                                                     |
 * | OPLAKE_NIGHTLY_MAX_CONCURRENCY  | no       | child executions = Athena CTAS at once: default and ceiling (default 8, max 10,000); Terraform derives it from the DML quota minus search's share |
 * | OPLAKE_NIGHTLY_BATCH_SIZE       | no       | tenants per child execution (ItemBatcher; default 25, max 100) |
 * | OPLAKE_NIGHTLY_MAX_TENANTS      | no       | back-pressure only: tenants per execution, oldest first (default: no cap) |
 * | OPLAKE_NIGHTLY_LEGACY_DAYS      | no       | previous-layout days rewritten per execution (default 50)  |
 * | OPLAKE_INTRADAY_MIN_RAW_BYTES   | no       | intraday runs convert a hot day once its pending raw/ bytes reach this (default 64 MiB: docs/nightly.md "Intraday runs") |
 * | OPLAKE_RETENTION                | no       | JSON RetentionPolicy (parquetDays, archiveRawDays, rejectsDays, stagingHours, perTenant) |
 * | OPLAKE_RETENTION_AREAS          | no       | areas the job enforces (default `parquet`; lifecycle rules do the rest on AWS) |
 */
import { type Env, frozen, int, json, optional, required } from '../../shared/config/env.js';
import { DEFAULT_LEGACY_DAYS_PER_RUN } from '../../shared/conversion/discover.js';
import {
  ALL_RETENTION_AREAS,
  DEFAULT_RETENTION,
  type RetentionArea,
  type RetentionPolicy,
} from '../../shared/conversion/retention.js';
import { ConfigError } from '../../shared/errors.js';
import { DEFAULT_BATCH_SIZE, MAX_DISTRIBUTED_MAP_CONCURRENCY } from './core.js';

/** On AWS: Athena bills 10 MB a query at least, and reading raw JSON is what costs (docs/nightly.md). */
export const DEFAULT_INTRADAY_MIN_RAW_BYTES = 64 * 1024 * 1024;

export interface NightlyEnvConfig {
  lakeBucket: string;
  maxConcurrency: number;
  batchSize: number;
  maxTenantsPerRun: number | undefined;
  legacyDaysPerRun: number;
  intradayMinRawBytes: number;
  retention: RetentionPolicy;
  retentionAreas: RetentionArea[];
}

function positive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer`);
  return value;
}

export function parseRetention(value: unknown): RetentionPolicy {
  if (typeof value !== 'object' || value === null) throw new Error('must be an object');
  const v = value as Record<string, unknown>;
  const pick = (name: keyof Omit<RetentionPolicy, 'perTenant'>) =>
    v[name] === undefined ? DEFAULT_RETENTION[name] : positive(v[name], name);
  const perTenant: Record<
    string,
    Partial<Pick<RetentionPolicy, 'parquetDays' | 'archiveRawDays' | 'rejectsDays'>>
  > = {};
  for (const [tenant, o] of Object.entries(
    (v.perTenant as Record<string, Record<string, unknown>> | undefined) ?? {},
  )) {
    perTenant[tenant] = {};
    for (const k of ['parquetDays', 'archiveRawDays', 'rejectsDays'] as const) {
      if (o[k] !== undefined) perTenant[tenant][k] = positive(o[k], `${tenant}.${k}`);
    }
  }
  return {
    parquetDays: pick('parquetDays'),
    archiveRawDays: pick('archiveRawDays'),
    rejectsDays: pick('rejectsDays'),
    stagingHours: pick('stagingHours'),
    perTenant,
  };
}

export function readNightlyEnv(env: Env): Readonly<NightlyEnvConfig> {
  const areas = (optional(env, 'OPLAKE_RETENTION_AREAS', 'parquet') ?? 'parquet')
    .split(',')
    .map((a) => a.trim());
  for (const area of areas) {
    if (!(ALL_RETENTION_AREAS as readonly string[]).includes(area)) {
      throw new ConfigError(`Environment variable OPLAKE_RETENTION_AREAS names an unknown area: ${area}`);
    }
  }
  return frozen({
    lakeBucket: required(env, 'OPLAKE_LAKE_BUCKET'),
    maxConcurrency: int(env, 'OPLAKE_NIGHTLY_MAX_CONCURRENCY', {
      fallback: 8,
      min: 1,
      max: MAX_DISTRIBUTED_MAP_CONCURRENCY,
    }),
    batchSize: int(env, 'OPLAKE_NIGHTLY_BATCH_SIZE', { fallback: DEFAULT_BATCH_SIZE, min: 1, max: 100 }),
    maxTenantsPerRun:
      optional(env, 'OPLAKE_NIGHTLY_MAX_TENANTS') === undefined
        ? undefined
        : int(env, 'OPLAKE_NIGHTLY_MAX_TENANTS', { fallback: 1, min: 1, max: 10_000_000 }),
    legacyDaysPerRun: int(env, 'OPLAKE_NIGHTLY_LEGACY_DAYS', {
      fallback: DEFAULT_LEGACY_DAYS_PER_RUN,
      min: 0,
      max: 1000,
    }),
    intradayMinRawBytes: int(env, 'OPLAKE_INTRADAY_MIN_RAW_BYTES', {
      fallback: DEFAULT_INTRADAY_MIN_RAW_BYTES,
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
    }),
    retention: json(env, 'OPLAKE_RETENTION', parseRetention, DEFAULT_RETENTION),
    retentionAreas: areas as RetentionArea[],
  });
}
