/**
 * One child execution of the ASL's Distributed Map (its ItemProcessor, taken from nightly.asl.json
 * as deployed, given the `{Items, BatchInput}` input ItemBatcher makes) executed by moto's Step
 * Functions: a real sqs:sendMessage.waitForTaskToken to a real (moto) SQS queue, ctas-runner's
 * handler consuming the messages with the SFN task-callback adapter, DuckDB converting. moto 5.2.1
 * cannot run the Distributed Map itself (no JSONL ItemReader, no ItemBatcher, a ResultWriter that
 * writes an empty manifest): docs/nightly.md, "Local mode".
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Context, SQSEvent } from 'aws-lambda';
import { createCtasRunnerHandler } from '../../functions/ctas-runner/create-handler.js';
import { SfnTaskCallbacks } from '../../functions/ctas-runner/sfn-task-callbacks.js';
import { DuckDbConversionEngine } from '../../shared/adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { sqsRecord } from '../../shared/local/runtime/sqs-record.js';
import { FaultInjectingEngine } from '../../shared/local/workflow/faults.js';
import { renderAsl } from '../../shared/local/workflow/run-nightly.js';
import { createObservability } from '../../shared/observability/index.js';
import { readParquetRows } from '../fixtures/lake-reader.js';
import { writeRawLake } from '../fixtures/raw-lake.js';
import { type PrivateMoto, startPrivateMoto } from './moto-sfn.js';

let moto: PrivateMoto;
let dir: string;

beforeAll(async () => {
  moto = await startPrivateMoto();
  dir = await mkdtemp(join(tmpdir(), 'oplake-sfn-moto-'));
});

afterAll(async () => {
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
});

function perTenantMachine(queueUrl: string): string {
  const asl = renderAsl({
    nightly_function_arn: 'arn:aws:lambda:ap-northeast-1:123456789012:function:x',
    fanout_queue_url: queueUrl,
  }) as {
    States: Record<string, Record<string, unknown>>;
  };
  type Machine = { StartAt: string; States: Record<string, Record<string, unknown>> };
  const processor = asl.States.PerTenant?.ItemProcessor;
  if (!processor) throw new Error('nightly.asl.json has no PerTenant ItemProcessor');
  const { ProcessorConfig: _mode, ...child } = processor as Machine & { ProcessorConfig: unknown };
  // Retry waits are for AWS; keep the test quick (the structure is unchanged).
  const convert = (child.States.Tenants?.ItemProcessor as Machine | undefined)?.States.Convert as {
    Retry: { IntervalSeconds: number }[];
  };
  for (const retry of convert?.Retry ?? []) retry.IntervalSeconds = 1;
  return JSON.stringify(child);
}

describe('nightly child execution on moto Step Functions + SQS', () => {
  it('fans out per tenant of its batch with task tokens; ctas-runner answers; a failing tenant is retried then caught', async () => {
    const client = {
      endpoint: moto.endpoint,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    const sqs = new SQSClient(client);
    const sfn = new SFNClient(client);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'oplake-fanout' }));
    const machine = await sfn.send(
      new CreateStateMachineCommand({
        name: 'oplake-nightly-map',
        definition: perTenantMachine(QueueUrl ?? ''),
        roleArn: 'arn:aws:iam::123456789012:role/oplake-sfn',
      }),
    );
    const store = new FileObjectStore(join(dir, 'lake'));
    const lake = await writeRawLake(store, {
      tenants: 2,
      days: 2,
      lastDay: '2026-11-23',
      eventsPerTenantDay: 60,
    });
    const engine = new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 });
    const handler = createCtasRunnerHandler({
      store,
      engine: new FaultInjectingEngine(engine, new Set(['tenant-001'])),
      callbacks: new SfnTaskCallbacks(sfn),
      clock: { now: () => new Date('2026-11-24T01:00:00Z') },
      obs: createObservability('ctas-runner', { local: true, logLevel: 'SILENT' }),
    });
    const execution = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machine.stateMachineArn,
        input: JSON.stringify({
          Items: [
            { tenantId: 'tenant-000', dates: ['2026-11-22', '2026-11-23'] },
            { tenantId: 'tenant-001', dates: ['2026-11-22', '2026-11-23'] },
          ],
          BatchInput: { runId: 'r1', mode: 'nightly' },
        }),
      }),
    );

    const groups: string[] = [];
    let status = 'RUNNING';
    let output = '';
    const deadline = Date.now() + 50_000;
    while (status === 'RUNNING' && Date.now() < deadline) {
      const received = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['MessageGroupId'],
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length > 0) {
        const event: SQSEvent = {
          Records: messages.map((m) =>
            sqsRecord({
              messageId: m.MessageId ?? '',
              receiptHandle: m.ReceiptHandle ?? '',
              body: m.Body ?? '',
              queueArn: 'arn:aws:sqs:ap-northeast-1:123456789012:oplake-fanout',
            }),
          ),
        };
        const response = await handler(event, { getRemainingTimeInMillis: () => 600_000 } as Context);
        expect(response.batchItemFailures).toEqual([]);
        for (const m of messages) {
          groups.push(m.Attributes?.MessageGroupId ?? '');
          await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle ?? '' }));
        }
      }
      const described = await sfn.send(
        new DescribeExecutionCommand({ executionArn: execution.executionArn }),
      );
      status = described.status ?? 'UNKNOWN';
      output = described.output ?? '';
    }
    await engine.close();

    expect(status).toBe('SUCCEEDED');
    const results = JSON.parse(output) as { tenantId: string; ok: boolean; error?: string }[];
    expect(results).toEqual([
      expect.objectContaining({ tenantId: 'tenant-000', ok: true, converted: 2 }),
      expect.objectContaining({ tenantId: 'tenant-001', ok: false, error: 'Oplake.ConversionFailed' }),
    ]);
    expect(groups.filter((g) => g === 'tenant-001')).toHaveLength(3); // first try + 2 retries
    expect(groups.filter((g) => g === 'tenant-000')).toHaveLength(1);
    const rows = await readParquetRows(store);
    expect(rows.every((r) => r.tenant_id === 'tenant-000')).toBe(true);
    const expected = [...(lake.expected.get('tenant-000')?.values() ?? [])].reduce(
      (n, byId) => n + byId.size,
      0,
    );
    expect(rows).toHaveLength(expected);
  });
});
