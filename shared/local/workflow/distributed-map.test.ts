/**
 * The local stand-in for Step Functions' Distributed Map pieces (distributed-map.ts), on small
 * definitions run by aws-local-stepfunctions over real files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { StateMachine } from 'aws-local-stepfunctions';
import { FileObjectStore } from '../../adapters/local/file-object-store.js';
import { type MapRunManifest, readMapRunOutcomes } from '../../conversion/map-results.js';
import { runDistributedMap, splitDistributedMaps } from './distributed-map.js';
import './run-nightly.js'; // the Promise.withResolvers polyfill (Node 20)

const dirs: string[] = [];
let store: FileObjectStore;
const BUCKET = 'lake';

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-dmap-'));
  dirs.push(dir);
  store = new FileObjectStore(dir);
});

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A child that echoes its input, or fails for items whose `bad` is true. */
const echoOrFail = {
  ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
  StartAt: 'Check',
  States: {
    Check: {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.bad', IsPresent: true },
            { Variable: '$.bad', BooleanEquals: true },
          ],
          Next: 'Boom',
        },
      ],
      Default: 'Echo',
    },
    Boom: { Type: 'Fail', Error: 'Test.Boom', Cause: 'bad item' },
    Echo: { Type: 'Pass', End: true },
  },
};

function mapState(extra: Record<string, unknown>) {
  return {
    Type: 'Map',
    ItemReader: {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSONL' },
      Parameters: { Bucket: BUCKET, 'Key.$': '$.key' },
    },
    ItemProcessor: echoOrFail,
    ...extra,
  } as never;
}

const rt = () => ({ store, bucket: BUCKET, childRunOptions: {} });
const read = async (key: string) =>
  JSON.parse(Buffer.from((await store.get(key)) ?? []).toString()) as unknown;

describe('local Distributed Map', () => {
  it('reads JSON Lines, selects, batches by count and bytes, and runs one child per batch', async () => {
    await store.put(
      'work.jsonl',
      `${[1, 2, 3, 4, 5].map((n) => JSON.stringify({ n, pad: 'x'.repeat(40) })).join('\n')}\n`,
    );

    const out = await runDistributedMap(
      'M',
      mapState({
        ItemSelector: { 'n.$': '$$.Map.Item.Value.n', 'i.$': '$$.Map.Item.Index', 'tag.$': '$.tag' },
        ItemBatcher: { MaxItemsPerBatchPath: '$.size', BatchInput: { 'tag.$': '$.tag' } },
      }),
      { key: 'work.jsonl', size: 2, tag: 't' },
      rt(),
    );

    expect(out).toEqual([
      {
        Items: [
          { n: 1, i: 0, tag: 't' },
          { n: 2, i: 1, tag: 't' },
        ],
        BatchInput: { tag: 't' },
      },
      {
        Items: [
          { n: 3, i: 2, tag: 't' },
          { n: 4, i: 3, tag: 't' },
        ],
        BatchInput: { tag: 't' },
      },
      { Items: [{ n: 5, i: 4, tag: 't' }], BatchInput: { tag: 't' } },
    ]);

    const bySize = (await runDistributedMap(
      'M',
      mapState({ ItemBatcher: { MaxInputBytesPerBatch: 120 } }),
      { key: 'work.jsonl' },
      rt(),
    )) as { Items: unknown[] }[];
    expect(bySize.map((b) => b.Items.length)).toEqual([1, 1, 1, 1, 1]);
  });

  it('reads a JSON array and honours MaxItems', async () => {
    await store.put('work.json', JSON.stringify([{ n: 1 }, { n: 2 }, { n: 3 }]));

    const out = await runDistributedMap(
      'M',
      mapState({
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON', MaxItems: 2 },
          Parameters: { Bucket: BUCKET, Key: 'work.json' },
        },
      }),
      {},
      rt(),
    );

    expect(out).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('writes SUCCEEDED and FAILED result files and a manifest, like ResultWriter', async () => {
    await store.put('work.jsonl', '{"n":1}\n{"n":2,"bad":true}\n{"n":3}\n');

    const out = (await runDistributedMap(
      'M',
      mapState({
        ToleratedFailurePercentage: 50,
        ResultWriter: {
          Resource: 'arn:aws:states:::s3:putObject',
          Parameters: { Bucket: BUCKET, 'Prefix.$': '$.out' },
        },
      }),
      { key: 'work.jsonl', out: 'runs/r1' },
      rt(),
    )) as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };

    expect(out.ResultWriterDetails.Bucket).toBe(BUCKET);
    expect(out.ResultWriterDetails.Key).toMatch(/^runs\/r1\/[0-9a-f-]{36}\/manifest\.json$/);
    const manifest = (await read(out.ResultWriterDetails.Key)) as MapRunManifest;
    expect(manifest.MapRunArn).toBe(out.MapRunArn);
    expect(manifest.ResultFiles.PENDING).toEqual([]);
    const failed = (await read(manifest.ResultFiles.FAILED[0]?.Key ?? '')) as Record<string, string>[];
    expect(failed).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Error: 'Test.Boom',
        Cause: 'bad item',
        Input: '{"n":2,"bad":true}',
      }),
    ]);
    const succeeded = (await read(manifest.ResultFiles.SUCCEEDED[0]?.Key ?? '')) as Record<string, string>[];
    expect(succeeded.map((e) => JSON.parse(e.Output ?? ''))).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('fails with States.ExceedToleratedFailureThreshold over the tolerated share, after writing results', async () => {
    await store.put('work.jsonl', '{"n":1,"bad":true}\n{"n":2,"bad":true}\n{"n":3}\n');

    await expect(
      runDistributedMap(
        'M',
        mapState({
          ToleratedFailureCount: 1,
          ResultWriter: {
            Resource: 'arn:aws:states:::s3:putObject',
            Parameters: { Bucket: BUCKET, Prefix: 'runs' },
          },
        }),
        { key: 'work.jsonl' },
        rt(),
      ),
    ).rejects.toMatchObject({ name: 'States.ExceedToleratedFailureThreshold' });
    const keys: string[] = [];
    for await (const info of store.list('runs/')) keys.push(info.key);
    expect(keys.filter((k) => k.endsWith('manifest.json'))).toHaveLength(1);
  });

  it('refuses what it does not supply: another bucket, a missing object, CSV', async () => {
    await store.put('work.jsonl', '{"n":1}\n');
    const reader = (extra: object) => ({
      Resource: 'arn:aws:states:::s3:getObject',
      Parameters: { Bucket: BUCKET, Key: 'work.jsonl' },
      ...extra,
    });

    await expect(
      runDistributedMap(
        'M',
        mapState({ ItemReader: reader({ Parameters: { Bucket: 'x', Key: 'work.jsonl' } }) }),
        {},
        rt(),
      ),
    ).rejects.toMatchObject({ name: 'States.ItemReaderFailed' });
    await expect(
      runDistributedMap(
        'M',
        mapState({ ItemReader: reader({ Parameters: { Bucket: BUCKET, Key: 'nope' } }) }),
        {},
        rt(),
      ),
    ).rejects.toMatchObject({ name: 'States.ItemReaderFailed' });
    await expect(
      runDistributedMap(
        'M',
        mapState({ ItemReader: reader({ ReaderConfig: { InputType: 'CSV' } }) }),
        {},
        rt(),
      ),
    ).rejects.toThrow('InputType CSV is not supported locally');
  });

  it('stands in for the Map inside a whole workflow: Retry/Catch/ResultPath of the state still apply', async () => {
    await store.put('work.jsonl', '{"n":1}\n{"n":2,"bad":true}\n');
    const definition = {
      StartAt: 'M',
      States: {
        M: {
          ...(mapState({}) as object),
          ResultPath: '$.mapped',
          Catch: [
            {
              ErrorEquals: ['States.ExceedToleratedFailureThreshold'],
              ResultPath: '$.error',
              Next: 'Caught',
            },
          ],
          Next: 'Done',
        },
        Caught: { Type: 'Pass', Result: 'caught', ResultPath: '$.outcome', End: true },
        Done: { Type: 'Succeed' },
      },
    };
    const { definition: runnable, maps } = splitDistributedMaps(definition);
    const state = maps.get('M');
    if (!state) throw new Error('the Map was not split off');
    const machine = new StateMachine(runnable as never, { validationOptions: { noValidate: true } });

    const result = await machine.run({ key: 'work.jsonl' } as never, {
      overrides: {
        taskResourceLocalHandlers: {
          M: ((input: unknown) => runDistributedMap('M', state, input, rt())) as never,
        },
      },
    }).result;

    expect(result).toMatchObject({
      key: 'work.jsonl',
      outcome: 'caught',
      error: { Error: 'States.ExceedToleratedFailureThreshold' },
    });
  });
});

describe('map run results read back', () => {
  it('turns a child that succeeded without an outcome for a tenant into a reported failure', async () => {
    const prefix = 'nightly/r/results/x/';
    await store.put(
      `${prefix}SUCCEEDED_0.json`,
      JSON.stringify([
        {
          Status: 'SUCCEEDED',
          Input: JSON.stringify({
            Items: [
              { tenantId: 'acme', dates: ['2026-11-23'] },
              { tenantId: 'beta', dates: ['2026-11-23'] },
            ],
          }),
          Output: JSON.stringify([{ tenantId: 'acme', dates: ['2026-11-23'], ok: true, rows: 1 }]),
        },
      ]),
    );
    await store.put(
      `${prefix}PENDING_0.json`,
      JSON.stringify([
        {
          Status: 'PENDING',
          Input: JSON.stringify({ Items: [{ tenantId: 'gamma', dates: ['2026-11-22'] }] }),
        },
      ]),
    );
    await store.put(
      `${prefix}manifest.json`,
      JSON.stringify({
        DestinationBucket: BUCKET,
        MapRunArn: 'arn',
        ResultFiles: {
          SUCCEEDED: [{ Key: `${prefix}SUCCEEDED_0.json`, Size: 1 }],
          FAILED: [],
          PENDING: [{ Key: `${prefix}PENDING_0.json`, Size: 1 }],
        },
      }),
    );

    const { outcomes, children } = await readMapRunOutcomes(store, {
      Bucket: BUCKET,
      Key: `${prefix}manifest.json`,
    });

    expect(children).toBe(2);
    expect(outcomes).toEqual([
      { tenantId: 'acme', dates: ['2026-11-23'], ok: true, rows: 1 },
      expect.objectContaining({ tenantId: 'beta', ok: false, error: 'Oplake.OutcomeMissing' }),
      expect.objectContaining({ tenantId: 'gamma', ok: false, error: 'Oplake.NotRun' }),
    ]);
  });
});
