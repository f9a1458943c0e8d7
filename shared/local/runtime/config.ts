/**
 * Local mode's settings, read once from the environment by its composition roots (main.ts and
 * the CLI), never elsewhere.
 *
 *   OPLAKE_PORT                 HTTP port on 127.0.0.1 (default 8787)
 *   OPLAKE_DATA_DIR             state folder (default ./.oplake)
 *   OPLAKE_LOG_LEVEL            DEBUG | INFO | WARN | ERROR | SILENT (default INFO)
 *   OPLAKE_FLUSH_INTERVAL_MS    how often stream buffers are checked (default 5000; 0: only on flush)
 *   OPLAKE_BUFFER_AGE_MS        a buffer older than this is written to the lake (default 60000)
 *   OPLAKE_BUFFER_BYTES         a buffer larger than this is written to the lake (default 5 MiB)
 *   OPLAKE_INGEST_RATE_LIMITS   JSON {"default": {"eventsPerSecond", "bytesPerSecond"}, "tenants": {...}}
 *   OPLAKE_SCAN_CUTOFF_BYTES    a search reading more bytes (scannedBytes) answers 422 (default 1 GiB)
 *   OPLAKE_MAX_CONCURRENT_QUERIES  per tenant; one more answers 429 (default 3)
 *   OPLAKE_WAIT_BUDGET_MS       a search running longer answers 202 with a queryId (default 10000)
 *   OPLAKE_SWEEP_INTERVAL_MS    how often the dlq-sweeper runs in the dev server (default 900000; 0: never)
 *   OPLAKE_SWEEP_RULES          the sweeper's rules and thresholds, JSON (shared/dlq/settings.ts)
 *   OPLAKE_INTRADAY_INTERVAL_MS how often the dev server runs the intraday conversion (default 3600000; 0: never)
 *   OPLAKE_INTRADAY_MIN_RAW_BYTES  an intraday run converts a hot day once its pending raw/ bytes reach this (default 0: any)
 */
import { resolve } from 'node:path';
import { type LocalSearchEnvConfig, readLocalSearchEnv } from '../../../functions/search/config.js';
import { type Env, frozen, int, json, optional } from '../../config/env.js';
import { sweepConfigFrom } from '../../dlq/settings.js';
import { DEFAULT_SWEEP_CONFIG, type SweepConfig } from '../../dlq/sweep.js';
import { ConfigError } from '../../errors.js';
import {
  DEFAULT_RATE_LIMITS,
  type RateLimitConfig,
  rateLimitConfigSchema,
} from '../../ingest/rate-limiter.js';

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LocalConfig {
  port: number;
  /** Absolute path. */
  dataDir: string;
  logLevel: LogLevel;
  streamFlushIntervalMs: number;
  streamBufferAgeMs: number;
  streamBufferBytes: number;
  rateLimits: RateLimitConfig;
  search: Readonly<LocalSearchEnvConfig>;
  sweepIntervalMs: number;
  sweep: SweepConfig;
  /** The intraday run of the nightly workflow (docs/nightly.md "Intraday runs"). */
  intraday: { intervalMs: number; minRawBytes: number };
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_DIR = './.oplake';

export function readLocalConfig(env: Env): Readonly<LocalConfig> {
  const logLevel = optional(env, 'OPLAKE_LOG_LEVEL', 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`Environment variable OPLAKE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return frozen({
    port: int(env, 'OPLAKE_PORT', { fallback: DEFAULT_PORT, min: 0, max: 65535 }),
    dataDir: resolve(optional(env, 'OPLAKE_DATA_DIR', DEFAULT_DATA_DIR)),
    logLevel: logLevel as LogLevel,
    streamFlushIntervalMs: int(env, 'OPLAKE_FLUSH_INTERVAL_MS', { fallback: 5000, min: 0 }),
    streamBufferAgeMs: int(env, 'OPLAKE_BUFFER_AGE_MS', { fallback: 60_000, min: 0 }),
    streamBufferBytes: int(env, 'OPLAKE_BUFFER_BYTES', { fallback: 5 * 1024 * 1024, min: 1 }),
    rateLimits: json(
      env,
      'OPLAKE_INGEST_RATE_LIMITS',
      (v) => rateLimitConfigSchema.parse(v),
      DEFAULT_RATE_LIMITS,
    ),
    search: readLocalSearchEnv(env),
    sweepIntervalMs: int(env, 'OPLAKE_SWEEP_INTERVAL_MS', { fallback: 15 * 60_000, min: 0 }),
    sweep: json(env, 'OPLAKE_SWEEP_RULES', sweepConfigFrom, { ...DEFAULT_SWEEP_CONFIG }),
    intraday: {
      intervalMs: int(env, 'OPLAKE_INTRADAY_INTERVAL_MS', { fallback: 60 * 60_000, min: 0 }),
      minRawBytes: int(env, 'OPLAKE_INTRADAY_MIN_RAW_BYTES', { fallback: 0, min: 0 }),
    },
  });
}
