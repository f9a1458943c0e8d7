/**
 * The pieces of a Distributed Map that aws-local-stepfunctions 3.0 lacks, supplied exactly enough
 * for the nightly ASL (docs/nightly.md, "Local mode"). The library runs every Map inline over
 * `ItemsPath` and ignores ItemReader, ItemBatcher, ToleratedFailure* and ResultWriter; so before a
 * run, each top-level `Map` whose ProcessorConfig.Mode is DISTRIBUTED is swapped for a Task of the
 * same name (same InputPath/ResultPath/ResultSelector/OutputPath/Retry/Catch/Next) whose local
 * handler does what Step Functions does:
 *
 *   ItemReader  s3:getObject of the object named by its Parameters, from the same store (JSONL or
 *               JSON array; ReaderConfig.MaxItems/MaxItemsPath); CSV and MANIFEST are refused.
 *   ItemSelector per item, `$$.Map.Item.Value`/`Index` set, evaluated by the library itself.
 *   ItemBatcher MaxItemsPerBatch(Path), MaxInputBytesPerBatch(Path), BatchInput → `{Items, BatchInput}`.
 *   children    the ItemProcessor run by the library as a state machine per item or batch, with the
 *               run's task overrides, at most MaxConcurrency(Path) at once (0 or absent: 10,000).
 *   tolerance   ToleratedFailurePercentage / ToleratedFailureCount: over it the state fails with
 *               `States.ExceedToleratedFailureThreshold` (results are still written).
 *   ResultWriter s3:putObject: `<Prefix><map run id>/manifest.json` and `SUCCEEDED_0.json`,
 *               `FAILED_0.json`, `PENDING_0.json` (JSON arrays of child executions, Input/Output as
 *               strings) in the same store; the state's result is `{MapRunArn, ResultWriterDetails}`.
 *               Without a ResultWriter the result is the array of child outputs, as on AWS.
 */
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { ChildExecutionResult, MapRunManifest } from '../../conversion/map-results.js';
import type { ObjectStore } from '../../ports/object-store.js';

type Json = unknown;
type StateDefinition = Record<string, unknown>;

interface DistributedMapState {
  ItemReader?: {
    Resource: string;
    Parameters?: Record<string, Json>;
    ReaderConfig?: { InputType?: string; MaxItems?: number; MaxItemsPath?: string };
  };
  ItemsPath?: string;
  ItemSelector?: Record<string, Json>;
  ItemBatcher?: {
    MaxItemsPerBatch?: number;
    MaxItemsPerBatchPath?: string;
    MaxInputBytesPerBatch?: number;
    MaxInputBytesPerBatchPath?: string;
    BatchInput?: Record<string, Json>;
  };
  MaxConcurrency?: number;
  MaxConcurrencyPath?: string;
  ToleratedFailurePercentage?: number;
  ToleratedFailureCount?: number;
  Label?: string;
  ItemProcessor: StateDefinition & { States: Record<string, StateDefinition>; StartAt: string };
  ResultWriter?: { Resource: string; Parameters?: Record<string, Json> };
}

export interface DistributedMapRuntime {
  store: ObjectStore;
  /** The bucket name ItemReader/ResultWriter must name (the local lake). */
  bucket: string;
  /** The run options children run with (task overrides, retry interval overrides). */
  childRunOptions: Record<string, unknown>;
  /** Called after each child execution ends (progress). */
  onChildDone?: (done: number, total: number) => void;
}

/** An error Retry/Catch can match by name (the library matches `error.name`). */
export class StatesError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const DISTRIBUTED_RESOURCE = 'arn:aws:states:::local:distributedMap';
/** Far beyond any run; setTimeout cannot take more than ~24.8 days. */
const NO_TIMEOUT_SECONDS = 2_000_000;
const MAX_CHILDREN_AT_ONCE = 10_000;
const COPIED_FIELDS = [
  'Comment',
  'InputPath',
  'ResultPath',
  'ResultSelector',
  'OutputPath',
  'Retry',
  'Catch',
  'Next',
  'End',
] as const;

/** A definition the library can run, and the Distributed Map states it must hand to us. */
export function splitDistributedMaps(definition: Record<string, unknown>): {
  definition: Record<string, unknown>;
  maps: Map<string, DistributedMapState>;
} {
  const states = definition.States as Record<string, StateDefinition>;
  const maps = new Map<string, DistributedMapState>();
  const replaced: Record<string, StateDefinition> = {};
  for (const [name, state] of Object.entries(states)) {
    const mode = (state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)?.ProcessorConfig
      ?.Mode;
    if (state.Type !== 'Map' || mode !== 'DISTRIBUTED') {
      replaced[name] = state;
      continue;
    }
    maps.set(name, state as unknown as DistributedMapState);
    const task: StateDefinition = {
      Type: 'Task',
      Resource: DISTRIBUTED_RESOURCE,
      TimeoutSeconds: NO_TIMEOUT_SECONDS,
    };
    for (const field of COPIED_FIELDS) if (state[field] !== undefined) task[field] = state[field];
    replaced[name] = task;
  }
  return { definition: { ...definition, States: replaced }, maps };
}

/** Evaluates a payload template (or a reference path) with the library's own evaluator. */
async function evaluate(template: Record<string, Json>, input: Json, context: Record<string, Json>) {
  const machine = new StateMachine(
    { StartAt: 'T', States: { T: { Type: 'Pass', Parameters: template, End: true } } } as never,
    { validationOptions: { noValidate: true } },
  );
  return (await machine.run(input as never, { context } as never).result) as Record<string, Json>;
}

async function pathValue(path: string | undefined, input: Json): Promise<Json> {
  if (path === undefined) return undefined;
  return (await evaluate({ 'v.$': path }, input, {})).v;
}

function positiveInt(value: Json, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new StatesError(
      'States.Runtime',
      `${what} must be a non-negative integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

async function readItems(
  state: DistributedMapState,
  input: Json,
  rt: DistributedMapRuntime,
): Promise<Json[]> {
  const reader = state.ItemReader;
  if (!reader) {
    const items = state.ItemsPath ? await pathValue(state.ItemsPath, input) : input;
    if (!Array.isArray(items)) throw new StatesError('States.Runtime', 'Map items are not an array');
    return items;
  }
  if (reader.Resource !== 'arn:aws:states:::s3:getObject') {
    throw new StatesError('States.Runtime', `ItemReader ${reader.Resource} is not supported locally`);
  }
  const params = await evaluate(reader.Parameters ?? {}, input, {});
  if (params.Bucket !== rt.bucket || typeof params.Key !== 'string') {
    throw new StatesError('States.ItemReaderFailed', `no such object: s3://${params.Bucket}/${params.Key}`);
  }
  const bytes = await rt.store.get(params.Key);
  if (bytes === null) throw new StatesError('States.ItemReaderFailed', `no such object: ${params.Key}`);
  const text = Buffer.from(bytes).toString('utf8');
  const type = reader.ReaderConfig?.InputType ?? 'JSON';
  let items: Json[];
  try {
    if (type === 'JSONL') {
      items = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Json);
    } else if (type === 'JSON') {
      const parsed = JSON.parse(text) as Json;
      if (!Array.isArray(parsed)) throw new Error('not a JSON array');
      items = parsed;
    } else {
      throw new StatesError('States.Runtime', `ItemReader InputType ${type} is not supported locally`);
    }
  } catch (error) {
    if (error instanceof StatesError) throw error;
    throw new StatesError('States.ItemReaderFailed', `${params.Key}: ${(error as Error).message}`);
  }
  const maxItems =
    reader.ReaderConfig?.MaxItems ??
    (reader.ReaderConfig?.MaxItemsPath
      ? positiveInt(await pathValue(reader.ReaderConfig.MaxItemsPath, input), 'MaxItemsPath')
      : 0);
  return maxItems > 0 ? items.slice(0, maxItems) : items;
}

async function batches(state: DistributedMapState, input: Json, items: Json[]): Promise<Json[]> {
  let selected = items;
  if (state.ItemSelector) {
    const selector = state.ItemSelector;
    selected = [];
    for (const [index, value] of items.entries()) {
      selected.push(await evaluate(selector, input, { Map: { Item: { Index: index, Value: value } } }));
    }
  }
  const batcher = state.ItemBatcher;
  if (!batcher) return selected;
  const maxItems =
    batcher.MaxItemsPerBatch ??
    positiveInt((await pathValue(batcher.MaxItemsPerBatchPath, input)) ?? 0, 'MaxItemsPerBatch');
  const maxBytes =
    batcher.MaxInputBytesPerBatch ??
    positiveInt(
      (await pathValue(batcher.MaxInputBytesPerBatchPath, input)) ?? 262_144,
      'MaxInputBytesPerBatch',
    );
  const batchInput = batcher.BatchInput ? await evaluate(batcher.BatchInput, input, {}) : undefined;
  const base = JSON.stringify({ Items: [], ...(batchInput ? { BatchInput: batchInput } : {}) }).length;
  const out: Json[] = [];
  let current: Json[] = [];
  let bytes = base;
  const flush = () => {
    if (current.length > 0) out.push({ Items: current, ...(batchInput ? { BatchInput: batchInput } : {}) });
    current = [];
    bytes = base;
  };
  for (const item of selected) {
    const size = JSON.stringify(item).length + 1;
    if (current.length > 0 && ((maxItems > 0 && current.length >= maxItems) || bytes + size > maxBytes))
      flush();
    current.push(item);
    bytes += size;
  }
  flush();
  return out;
}

/** Runs one Distributed Map state: the handler of the Task that stands in for it. */
export async function runDistributedMap(
  stateName: string,
  state: DistributedMapState,
  input: Json,
  rt: DistributedMapRuntime,
): Promise<Json> {
  const items = await readItems(state, input, rt);
  const inputs = await batches(state, input, items);
  const concurrencyValue = state.MaxConcurrencyPath
    ? positiveInt(await pathValue(state.MaxConcurrencyPath, input), 'MaxConcurrencyPath')
    : (state.MaxConcurrency ?? 0);
  const width = Math.min(
    concurrencyValue === 0 ? MAX_CHILDREN_AT_ONCE : concurrencyValue,
    MAX_CHILDREN_AT_ONCE,
  );
  const runId = randomUUID();
  const label = state.Label ?? stateName;
  const mapRunArn = `arn:aws:states:local:000000000000:mapRun:oplake-nightly/${label}:${runId}`;
  const { ProcessorConfig: _config, ...processor } = state.ItemProcessor;
  const child = new StateMachine(processor as never, { validationOptions: { noValidate: true } });

  const results: ChildExecutionResult[] = new Array(inputs.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const index = next++;
      const childInput = inputs[index];
      const name = `${label}-${index}`;
      const started = new Date().toISOString();
      const base = {
        ExecutionArn: `arn:aws:states:local:000000000000:execution:oplake-nightly/${label}:${runId}-${index}`,
        Name: name,
        Input: JSON.stringify(childInput),
        InputDetails: { Included: true },
        StartDate: started,
        StateMachineArn: `arn:aws:states:local:000000000000:stateMachine:oplake-nightly/${label}`,
        RedriveCount: 0,
      };
      try {
        const output = await child.run(childInput as never, rt.childRunOptions as never).result;
        results[index] = {
          ...base,
          Status: 'SUCCEEDED',
          Output: JSON.stringify(output ?? null),
          OutputDetails: { Included: true },
          StopDate: new Date().toISOString(),
        } as ChildExecutionResult;
      } catch (error) {
        const cause = (error as { cause?: Error }).cause ?? (error as Error);
        results[index] = {
          ...base,
          Status: 'FAILED',
          Error: cause.name,
          Cause: cause.message,
          StopDate: new Date().toISOString(),
        } as ChildExecutionResult;
      }
      rt.onChildDone?.(++done, inputs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, inputs.length)) }, worker));

  const failed = results.filter((r) => r.Status === 'FAILED');
  const succeeded = results.filter((r) => r.Status === 'SUCCEEDED');
  let output: Json =
    succeeded.length === results.length ? succeeded.map((r) => JSON.parse(r.Output ?? 'null')) : null;
  if (state.ResultWriter) {
    if (state.ResultWriter.Resource !== 'arn:aws:states:::s3:putObject') {
      throw new StatesError(
        'States.Runtime',
        `ResultWriter ${state.ResultWriter.Resource} is not supported locally`,
      );
    }
    const params = await evaluate(state.ResultWriter.Parameters ?? {}, input, {});
    if (params.Bucket !== rt.bucket) {
      throw new StatesError('States.ResultWriterFailed', `no such bucket: ${String(params.Bucket)}`);
    }
    const raw = typeof params.Prefix === 'string' ? params.Prefix : '';
    const prefix = `${raw}${raw === '' || raw.endsWith('/') ? '' : '/'}${runId}/`;
    const manifest: MapRunManifest = {
      DestinationBucket: rt.bucket,
      MapRunArn: mapRunArn,
      ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [] },
    };
    for (const [status, entries] of [
      ['SUCCEEDED', succeeded],
      ['FAILED', failed],
    ] as const) {
      if (entries.length === 0) continue;
      const key = `${prefix}${status}_0.json`;
      const body = JSON.stringify(entries);
      await rt.store.put(key, body, { contentType: 'application/json' });
      manifest.ResultFiles[status].push({ Key: key, Size: Buffer.byteLength(body) });
    }
    const manifestKey = `${prefix}manifest.json`;
    await rt.store.put(manifestKey, JSON.stringify(manifest), { contentType: 'application/json' });
    output = { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: rt.bucket, Key: manifestKey } };
  }
  const tolerated = Math.min(
    state.ToleratedFailureCount ?? Number.POSITIVE_INFINITY,
    state.ToleratedFailurePercentage === undefined
      ? Number.POSITIVE_INFINITY
      : (state.ToleratedFailurePercentage / 100) * results.length,
  );
  const limit =
    state.ToleratedFailureCount === undefined && state.ToleratedFailurePercentage === undefined
      ? 0
      : tolerated;
  if (failed.length > limit) {
    throw new StatesError(
      'States.ExceedToleratedFailureThreshold',
      `${failed.length} of ${results.length} child executions failed (map run ${mapRunArn})`,
    );
  }
  return output;
}
