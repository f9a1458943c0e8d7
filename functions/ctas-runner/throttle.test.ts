/**
 * Athena's DML quota is shared with search: a CTAS meets TooManyRequestsException. Athena is
 * mocked (aws-sdk-client-mock; moto runs no SQL), the lake is real files, the workflow is the
 * deployed ASL run locally.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryRuntimeStatisticsCommand,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
  TooManyRequestsException,
} from '@aws-sdk/client-athena';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AthenaConversionEngine } from '../../shared/adapters/aws/athena-conversion-engine.js';
import { AthenaRunner, AthenaThrottledError } from '../../shared/adapters/aws/athena-runner.js';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { convertPartition } from '../../shared/conversion/convert.js';
import type { ConversionEngine, PartitionSnapshot, StagedOutput } from '../../shared/conversion/engine.js';
import { ConversionEngineError } from '../../shared/conversion/errors.js';
import { partitionPrefix } from '../../shared/domain/layout.js';
import { LocalTaskCallbacks, LocalTaskError } from '../../shared/local/workflow/local-task-callbacks.js';
import { runNightlyDetailed } from '../../shared/local/workflow/run-nightly.js';
import { listAll } from '../../test/fixtures/lake-reader.js';
import { writeRawLake } from '../../test/fixtures/raw-lake.js';
import { isThrottled, runTenant, TASK_ERRORS } from './core.js';

const athena = mockClient(AthenaClient);
const DAYS = ['2026-11-22', '2026-11-23'];
const clock = { now: () => new Date('2026-11-24T01:00:00Z') };
const dirs: string[] = [];
let store: FileObjectStore;
let sleeps: number[];
let engine: AthenaConversionEngine;

const throttle = () => new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} });

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-throttle-'));
  dirs.push(dir);
  store = new FileObjectStore(join(dir, 'lake'));
  await writeRawLake(store, { tenants: 1, days: 2, lastDay: DAYS[1], eventsPerTenantDay: 20 });
  sleeps = [];
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  athena
    .on(GetQueryRuntimeStatisticsCommand)
    .resolves({ QueryRuntimeStatistics: { Rows: { OutputRows: 20 } } });
  const runner = new AthenaRunner(new AthenaClient({ region: 'ap-northeast-1' }), {
    throttleRetries: 4,
    throttleBaseMs: 1000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  engine = new AthenaConversionEngine(runner, store, {
    bucket: 'lake',
    database: 'oplake',
    rawTable: 'raw_events',
    eventsTable: 'events',
    workgroup: 'oplake-nightly',
  });
});

afterEach(() => {
  athena.reset();
});

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A CTAS "writes" its file to the external location, as Athena would. */
function ctasWrites(input: StartQueryExecutionCommandInput, id: string) {
  const location = /external_location = 's3:\/\/[^/]+\/([^']+)'/.exec(input.QueryString ?? '')?.[1];
  return location ? store.put(`${location}${id}_part`, 'PAR1') : Promise.resolve();
}

function convertWith(e: ConversionEngine) {
  return (tenantId: string, dt: string) => convertPartition({ store, engine: e, clock }, { tenantId, dt });
}

describe('ctas-runner under Athena throttling', () => {
  it('retries TooManyRequestsException with capped exponential backoff and jitter, then converts', async () => {
    let n = 0;
    let refusals = 3;
    athena.on(StartQueryExecutionCommand).callsFake(async (input: StartQueryExecutionCommandInput) => {
      if ((input.QueryString ?? '').startsWith('CREATE TABLE') && refusals-- > 0) throw throttle();
      const id = `q-${++n}`;
      await ctasWrites(input, id);
      return { QueryExecutionId: id };
    });
    const callbacks = new LocalTaskCallbacks();
    const { token, settled } = callbacks.issue();

    const outcome = await runTenant(
      { taskToken: token, tenantId: 'tenant-000', dates: DAYS, runId: 'r' },
      { callbacks, convert: convertWith(engine) },
    );

    expect(outcome).toMatchObject({ ok: true, converted: 2 });
    await expect(settled).resolves.toMatchObject({ ok: true });
    expect(sleeps).toHaveLength(3);
    sleeps.forEach((ms, attempt) => {
      expect(ms).toBeGreaterThanOrEqual((1000 * 2 ** attempt) / 2);
      expect(ms).toBeLessThanOrEqual(1000 * 2 ** attempt);
    });
    expect(await listAll(store, partitionPrefix('raw', 'tenant-000'))).toEqual([]);
  });

  it('answers Oplake.AthenaThrottled when the quota stays full, and leaves the dates pending', async () => {
    athena.on(StartQueryExecutionCommand).rejects(throttle());
    const callbacks = new LocalTaskCallbacks();
    const { token, settled } = callbacks.issue();
    const raw = await listAll(store, 'raw/');

    const outcome = await runTenant(
      { taskToken: token, tenantId: 'tenant-000', dates: DAYS, runId: 'r' },
      { callbacks, convert: convertWith(engine) },
    );

    expect(outcome).toMatchObject({ ok: false, error: TASK_ERRORS.throttled });
    await expect(settled).rejects.toEqual(new LocalTaskError(TASK_ERRORS.throttled, outcome.cause ?? ''));
    // One CTAS (first try + 4 retries) plus its DROP TABLE (the same throttling); the second date is not tried.
    const ctas = athena
      .commandCalls(StartQueryExecutionCommand)
      .filter((c) => (c.args[0].input.QueryString ?? '').startsWith('CREATE TABLE'));
    expect(ctas).toHaveLength(5);
    expect(ctas.every((c) => (c.args[0].input.ExecutionParameters ?? []).includes(`'${DAYS[0]}'`))).toBe(
      true,
    );
    expect(await listAll(store, 'raw/')).toEqual(raw);
    expect(await listAll(store, 'parquet/')).toEqual([]);
  });

  it('recognises a throttle through the conversion engine error that wraps it', () => {
    const wrapped = new ConversionEngineError('athena CTAS failed', {
      cause: new AthenaThrottledError('StartQueryExecution throttled'),
    });

    expect(isThrottled(wrapped)).toBe(true);
    expect(isThrottled(new ConversionEngineError('HIVE_BAD_DATA'))).toBe(false);
  });
});

/** Throttles each tenant's first `times` conversions, the way AthenaConversionEngine reports it. */
class ThrottlingEngine implements ConversionEngine {
  readonly name = 'throttling';
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly inner: ConversionEngine,
    private readonly times: number,
  ) {}
  async materialize(snapshot: PartitionSnapshot): Promise<StagedOutput> {
    const n = this.seen.get(snapshot.tenantId) ?? 0;
    this.seen.set(snapshot.tenantId, n + 1);
    if (n < this.times) {
      throw new ConversionEngineError('athena CTAS failed', {
        cause: new AthenaThrottledError('StartQueryExecution throttled after 7 attempts'),
      });
    }
    return this.inner.materialize(snapshot);
  }
}

describe('the workflow under Athena throttling (deployed ASL, locally)', () => {
  it('retries Oplake.AthenaThrottled beyond the ordinary failure budget, then converts', async () => {
    const duck = new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 });
    try {
      const run = await runNightlyDetailed({
        store,
        engine: new ThrottlingEngine(duck, 3),
        clock,
        date: DAYS[1],
      });

      // 3 throttled attempts + 1: more than States.TaskFailed's 2 retries would allow.
      expect(run.attempts['tenant-000']).toBe(4);
      expect(run.summary).toMatchObject({ targets: 2, succeeded: 2, failed: 0 });
    } finally {
      await duck.close();
    }
  });

  it('reports the tenant as throttled once the throttle retries are spent', async () => {
    const duck = new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 });
    try {
      const run = await runNightlyDetailed({
        store,
        engine: new ThrottlingEngine(duck, 99),
        clock,
        date: DAYS[1],
      });

      expect(run.attempts['tenant-000']).toBe(5); // first try + MaxAttempts 4
      expect(run.summary).toMatchObject({ failed: 2, failedTenants: ['tenant-000'] });
      expect(run.summary.failures[0]?.error).toBe(TASK_ERRORS.throttled);
    } finally {
      await duck.close();
    }
  });
});
