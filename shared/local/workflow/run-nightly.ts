/**
 * Local nightly run: the very ASL file Terraform deploys (functions/nightly/nightly.asl.json),
 * run by aws-local-stepfunctions with task overrides that call the same cores as the Lambdas:
 *   Discover / Housekeep / Summarise  → functions/nightly/core.ts (as lambda:invoke: {Payload})
 *   Convert (sqs:sendMessage.waitForTaskToken) → a fresh token, ctas-runner's core on the message
 *     body, awaiting SendTaskSuccess/SendTaskFailure through LocalTaskCallbacks.
 *   PerTenant (Distributed Map) → distributed-map.ts: ItemReader, ItemBatcher, child executions,
 *     ResultWriter over the same store and key layout as on AWS (the library runs Maps inline only).
 * The inline Map inside each child, Retry/Catch/TimeoutSeconds are the library's, as in Step Functions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StateMachine } from 'aws-local-stepfunctions';
import { processRecordBody, type RunnerLog } from '../../../functions/ctas-runner/core.js';
import {
  DEFAULT_BATCH_SIZE,
  type MetricSink,
  type NightlyAction,
  runAction,
} from '../../../functions/nightly/core.js';
import { DuckDbCompactionEngine } from '../../adapters/local/duckdb-compaction-engine.js';
import {
  DuckDbConversionEngine,
  type DuckDbEngineOptions,
} from '../../adapters/local/duckdb-conversion-engine.js';
import type { FileObjectStore } from '../../adapters/local/file-object-store.js';
import { processDayLeases } from '../../adapters/local/in-process-day-leases.js';
import type { CompactionStep } from '../../compaction/compact.js';
import type { MonthSnapshot } from '../../compaction/engine.js';
import { type CompactionPolicy, DEFAULT_COMPACTION } from '../../compaction/plan.js';
import { compactTenant } from '../../compaction/run.js';
import type { ConversionStep } from '../../conversion/convert.js';
import { convertDay, type DayLeases } from '../../conversion/day-lease.js';
import type { RunMode } from '../../conversion/discover.js';
import type { ConversionEngine, PartitionSnapshot } from '../../conversion/engine.js';
import type { RetentionPolicy } from '../../conversion/retention.js';
import type { NightlySummary } from '../../conversion/summary.js';
import { type Clock, systemClock } from '../../ports/clock.js';
import type { UsageMeter } from '../../usage/meter.js';
import { validateDefinitionOnce } from './definition-check.js';
import { runDistributedMap, splitDistributedMaps } from './distributed-map.js';
import { FaultInjectingEngine } from './faults.js';
import { LocalTaskCallbacks } from './local-task-callbacks.js';

export const ASL_PATH = fileURLToPath(
  new URL('../../../functions/nightly/nightly.asl.json', import.meta.url),
);

/** The name ItemReader and ResultWriter give the local lake (the data directory's lake/). */
export const LOCAL_LAKE_BUCKET = 'oplake-local-lake';

/** Placeholder values of the local run (Terraform puts real ARNs there). */
export const LOCAL_ASL_VALUES = Object.freeze({
  nightly_function_arn: 'arn:aws:lambda:ap-northeast-1:000000000000:function:oplake-nightly-local',
  fanout_queue_url: 'https://sqs.ap-northeast-1.amazonaws.com/000000000000/oplake-fanout-local',
});

/** The ASL with `${name}` placeholders replaced, as Terraform's templatefile() does. */
export function renderAsl(
  values: Readonly<Record<string, string>>,
  path: string = ASL_PATH,
): Record<string, unknown> {
  const text = readFileSync(path, 'utf8').replace(/\$\{([a-z_]+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new RangeError(`no value for ASL placeholder ${whole}`);
    return value;
  });
  return JSON.parse(text) as Record<string, unknown>;
}

export interface RunNightlyOptions {
  store: FileObjectStore;
  /** OPLAKE_DATA_DIR: DuckDB spills under `<dataDir>/tmp/duckdb` when given. */
  dataDir?: string;
  /** The run's date (YYYY-MM-DD); default today (UTC). */
  date?: string;
  /** `nightly` (default) or `intraday` (docs/nightly.md "Intraday runs"). */
  mode?: RunMode;
  /** Intraday runs convert a hot day once its pending raw/ bytes reach this (default 0). */
  intradayMinRawBytes?: number;
  clock?: Clock;
  /** Default: a DuckDB engine over `store`, closed at the end. */
  engine?: ConversionEngine;
  duckdb?: DuckDbEngineOptions;
  /** Child executions (Convert tasks) at once; default 4. */
  maxConcurrency?: number;
  /** Tenants per child execution (ItemBatcher); default 25, as on AWS. */
  batchSize?: number;
  /** Back-pressure only: tenants per execution (default: all). */
  maxTenantsPerRun?: number;
  /** Progress of the Distributed Map: child executions done of total. */
  onProgress?: (done: number, total: number) => void;
  /** Days of the previous layout rewritten per run (default 50). */
  legacyDaysPerRun?: number;
  retention?: RetentionPolicy;
  /** Inject conversion faults: a Set fails those tenants always, a Map that many times each. */
  failTenants?: ReadonlySet<string> | ReadonlyMap<string, number>;
  /** Compaction of closed small months after each tenant's conversion; default DEFAULT_COMPACTION, false = off. */
  compaction?: CompactionPolicy | false;
  /** Crash injection inside each compaction (see shared/compaction/compact.ts). */
  compactionAfterStep?: (step: CompactionStep, snapshot: MonthSnapshot) => void | Promise<void>;
  /** Who converts a tenant-day now; default the process's (every local run of this process shares them). */
  leases?: DayLeases;
  /** Crash injection inside each conversion (see convert.ts). */
  afterStep?: (step: ConversionStep, snapshot: PartitionSnapshot) => void | Promise<void>;
  /** Wait between retries of the Convert state, ms (default 0: the ASL's backoff is for AWS). */
  retryIntervalMs?: number;
  metrics?: MetricSink;
  log?: RunnerLog;
  usage?: UsageMeter;
}

export interface LocalNightlyRun {
  summary: NightlySummary;
  /** Convert task attempts per tenant (retries included). */
  attempts: Record<string, number>;
  heartbeats: number;
}

const noMetrics: MetricSink = { addMetric: () => {} };

export async function runNightlyDetailed(options: RunNightlyOptions): Promise<LocalNightlyRun> {
  const clock = options.clock ?? systemClock;
  const ownEngine = options.engine
    ? undefined
    : new DuckDbConversionEngine(options.store, {
        ...(options.dataDir ? { tempDirectory: join(options.dataDir, 'tmp', 'duckdb') } : {}),
        ...options.duckdb,
      });
  const baseEngine = options.engine ?? (ownEngine as ConversionEngine);
  const compactionPolicy = options.compaction === false ? null : (options.compaction ?? DEFAULT_COMPACTION);
  const compactionEngine =
    compactionPolicy === null
      ? null
      : new DuckDbCompactionEngine(options.store, {
          ...(options.dataDir ? { tempDirectory: join(options.dataDir, 'tmp', 'duckdb') } : {}),
          ...(options.duckdb?.memoryLimit ? { memoryLimit: options.duckdb.memoryLimit } : {}),
          ...(options.duckdb?.threads ? { threads: options.duckdb.threads } : {}),
        });
  const engine = options.failTenants ? new FaultInjectingEngine(baseEngine, options.failTenants) : baseEngine;
  const callbacks = new LocalTaskCallbacks();
  const attempts: Record<string, number> = {};
  const deps = {
    store: options.store,
    bucket: LOCAL_LAKE_BUCKET,
    clock,
    metrics: options.metrics ?? noMetrics,
    defaultMaxConcurrency: options.maxConcurrency ?? 4,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    ...(options.retention ? { retention: options.retention } : {}),
    ...(options.maxTenantsPerRun ? { maxTenantsPerRun: options.maxTenantsPerRun } : {}),
    ...(options.legacyDaysPerRun !== undefined ? { legacyDaysPerRun: options.legacyDaysPerRun } : {}),
    intradayMinRawBytes: options.intradayMinRawBytes ?? 0,
  };
  const lambda = async (input: { Payload: NightlyAction }) => ({
    Payload: await runAction(input.Payload, deps),
  });
  const convert = async (input: { MessageGroupId: string; MessageBody: Record<string, unknown> }) => {
    const { token, settled } = callbacks.issue();
    attempts[input.MessageGroupId] = (attempts[input.MessageGroupId] ?? 0) + 1;
    const body = JSON.stringify({ ...input.MessageBody, taskToken: token });
    // The "queue": ctas-runner's core consumes the message at once and answers through the token.
    await processRecordBody(body, {
      callbacks,
      convert: (tenantId, dt) =>
        convertDay(
          {
            store: options.store,
            engine,
            clock,
            leases: options.leases ?? processDayLeases,
            ...(options.afterStep ? { afterStep: options.afterStep } : {}),
          },
          { tenantId, dt },
        ),
      ...(compactionEngine && compactionPolicy
        ? {
            compact: (tenantId: string) =>
              compactTenant(
                {
                  store: options.store,
                  engine: compactionEngine,
                  clock,
                  policy: compactionPolicy,
                  ...(options.compactionAfterStep ? { afterStep: options.compactionAfterStep } : {}),
                },
                tenantId,
              ),
          }
        : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.usage ? { usage: options.usage } : {}),
    });
    return settled;
  };

  try {
    const asl = renderAsl(LOCAL_ASL_VALUES);
    // Validates the definition as deployed (asl-validator, inside the library; once per definition,
    // as at deploy), then runs the variant whose Distributed Map states go to distributed-map.ts.
    await validateDefinitionOnce(asl, options.dataDir);
    const { definition, maps } = splitDistributedMaps(asl);
    const childRunOptions = {
      context: { Task: { Token: 'replaced-by-the-local-override' } },
      overrides: {
        taskResourceLocalHandlers: { Convert: convert as never },
        retryIntervalOverrides: { Convert: options.retryIntervalMs ?? 0 },
      },
    };
    const mapHandlers = Object.fromEntries(
      [...maps].map(([name, state]) => [
        name,
        (input: unknown) =>
          runDistributedMap(name, state, input, {
            store: options.store,
            bucket: LOCAL_LAKE_BUCKET,
            childRunOptions,
            ...(options.onProgress ? { onChildDone: options.onProgress } : {}),
          }),
      ]),
    );
    const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
    const execution = machine.run(
      {
        ...(options.date ? { date: options.date } : {}),
        ...(options.mode ? { mode: options.mode } : {}),
        ...(options.maxConcurrency ? { maxConcurrency: options.maxConcurrency } : {}),
      },
      {
        context: { Task: { Token: 'replaced-by-the-local-override' } },
        overrides: {
          taskResourceLocalHandlers: {
            Discover: lambda as never,
            Housekeep: lambda as never,
            Summarise: lambda as never,
            ...(mapHandlers as Record<string, never>),
          },
        },
      },
    );
    const summary = (await execution.result) as unknown as NightlySummary;
    return { summary, attempts, heartbeats: callbacks.heartbeats };
  } finally {
    await ownEngine?.close();
    await compactionEngine?.close();
  }
}

/** `oplake nightly` / `POST /v1/admin/nightly` in local mode: the run's summary. */
export async function runNightly(options: RunNightlyOptions): Promise<NightlySummary> {
  return (await runNightlyDetailed(options)).summary;
}
