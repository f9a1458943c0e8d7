import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import aslValidator from 'asl-validator';
import { ASL_PATH, LOCAL_ASL_VALUES, renderAsl } from '../../shared/local/workflow/run-nightly.js';

const asl = renderAsl(LOCAL_ASL_VALUES) as {
  States: Record<string, Record<string, unknown>>;
};
type States = Record<string, Record<string, unknown>>;
const perTenant = asl.States.PerTenant ?? {};
const child = (perTenant.ItemProcessor ?? {}) as { ProcessorConfig?: unknown; States?: States };
const tenants = child.States?.Tenants ?? {};
const convert = ((tenants.ItemProcessor as { States?: States } | undefined)?.States?.Convert ?? {}) as Record<
  string,
  unknown
>;

describe('nightly.asl.json', () => {
  it('is valid ASL once templated', () => {
    const result = aslValidator(asl, { checkArn: true, checkPaths: true });

    expect(result.errors ?? []).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('names exactly the documented placeholders', () => {
    const names = [...readFileSync(ASL_PATH, 'utf8').matchAll(/\$\{([a-z_]+)\}/g)].map((m) => m[1]);

    expect([...new Set(names)].sort()).toEqual(['fanout_queue_url', 'nightly_function_arn']);
  });

  it('is a Distributed Map: work list from S3, batches, results to S3, failures tolerated per tenant', () => {
    expect(perTenant).toMatchObject({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSONL' },
        Parameters: { 'Bucket.$': '$.workList.bucket', 'Key.$': '$.workList.key' },
      },
      ItemBatcher: { MaxItemsPerBatchPath: '$.batchSize', BatchInput: { 'runId.$': '$.runId' } },
      MaxConcurrencyPath: '$.maxConcurrency',
      ToleratedFailurePercentage: 100,
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { 'Bucket.$': '$.results.bucket', 'Prefix.$': '$.results.prefix' },
      },
      ResultPath: '$.mapRun',
    });
    expect(perTenant.ItemsPath).toBeUndefined();
    expect(child.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    // One tenant at a time inside a batch: Athena queries at once = the Map's MaxConcurrency.
    expect(tenants).toMatchObject({ Type: 'Map', ItemsPath: '$.Items', MaxConcurrency: 1 });
    expect(asl.States.Summarise?.Parameters).toMatchObject({
      Payload: { 'resultWriter.$': '$.mapRun.ResultWriterDetails' },
    });
  });

  it('fans out per tenant through SQS with a task token, timeouts, retry and catch', () => {
    expect(convert.Resource).toBe('arn:aws:states:::sqs:sendMessage.waitForTaskToken');
    expect(convert.Parameters).toMatchObject({
      'MessageGroupId.$': '$.tenantId',
      MessageBody: { 'taskToken.$': '$$.Task.Token' },
    });
    expect(convert.TimeoutSeconds).toBeGreaterThan(convert.HeartbeatSeconds as number);
    expect(convert.Retry).toEqual([
      expect.objectContaining({ ErrorEquals: ['Oplake.AthenaThrottled'], JitterStrategy: 'FULL' }),
      expect.objectContaining({ ErrorEquals: ['States.Timeout', 'States.TaskFailed'], BackoffRate: 2 }),
    ]);
    expect(convert.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'TenantFailed' }),
    ]);
  });

  it('carries the run mode to each tenant task and skips Housekeep in intraday mode', () => {
    const choice = asl.States.NightlyOnly ?? {};

    expect(asl.States.Discover?.ResultSelector).toMatchObject({ 'mode.$': '$.Payload.mode' });
    expect(perTenant).toMatchObject({
      Next: 'NightlyOnly',
      ItemBatcher: { BatchInput: { 'mode.$': '$.mode' } },
    });
    expect(tenants.ItemSelector).toMatchObject({ 'mode.$': '$.BatchInput.mode' });
    expect(convert.Parameters).toMatchObject({ MessageBody: { 'mode.$': '$.mode' } });
    expect(choice).toEqual(
      expect.objectContaining({
        Type: 'Choice',
        Choices: [{ Variable: '$.mode', StringEquals: 'intraday', Next: 'Summarise' }],
        Default: 'Housekeep',
      }),
    );
    expect(asl.States.Summarise?.Parameters).toMatchObject({ Payload: { 'mode.$': '$.mode' } });
  });
});
