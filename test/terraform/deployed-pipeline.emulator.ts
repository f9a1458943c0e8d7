/**
 * The deployed functions' AWS adapters against the emulated infrastructure that
 * test/terraform/moto-apply.sh has just applied to moto (not the Lambda runtime: the handlers run
 * in this process with the environment Terraform gave each function). A batch posted through
 * ingest's handler goes onto the batch queue, split's handler takes it from there to the emulated
 * Firehose stream, and the events land in the lake bucket. The dlq-sweeper, with its deployed
 * environment, sweeps every DLQ and alerts through the deployed topic.
 *
 * Run by moto-apply.sh only (it is not a *.test.ts: it needs the applied module):
 *   OPLAKE_MOTO_ENDPOINT=... OPLAKE_TF_OUTPUTS=outputs.json npx jest --testMatch '**' test/terraform/deployed-pipeline.emulator.ts
 */

import { readFileSync } from 'node:fs';
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from '@jest/globals';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext, urlEvent } from '../../functions/ingest/test-kit.js';
import { motoClientConfig, motoEndpoint } from '../../shared/adapters/aws/moto-kit.js';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.js';
import { type KeySet, signToken } from '../../shared/auth/tokens.js';
import { recordFailure } from '../../shared/dlq/failure-record.js';
import { sqsRecord } from '../../shared/local/runtime/sqs-record.js';

interface Outputs {
  batch_queue_url: { value: string };
  lake_bucket: { value: string };
  keys_parameter: { value: string };
  function_environment: { value: Record<string, Record<string, string>> };
}

function outputs(): Outputs {
  const file = process.env.OPLAKE_TF_OUTPUTS;
  if (!file) throw new Error('OPLAKE_TF_OUTPUTS is not set: run through test/terraform/moto-apply.sh');
  return JSON.parse(readFileSync(file, 'utf8')) as Outputs;
}

function record(body: string, messageId: string, queueArn: string): SQSRecord {
  return sqsRecord({ messageId, body, queueArn, sentAt: Date.now(), senderId: 'AIDATEST' });
}

describe('deployed adapters on the emulated infrastructure', () => {
  it('carries a batch from ingest through the batch queue and split to Firehose and the lake', async () => {
    // Prepare: the environment Terraform gave the functions, the key set the deploy step created.
    const out = outputs();
    const config = motoClientConfig();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_REGION: 'ap-northeast-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    const parameter = await new SSMClient(config).send(
      new GetParameterCommand({ Name: out.keys_parameter.value, WithDecryption: true }),
    );
    const keySet = JSON.parse(parameter.Parameter?.Value ?? '{}') as KeySet;
    const token = await signToken(keySet, {
      tenantId: 'emu-tenant',
      scope: 'ingest',
      sub: 'pc-001',
      ttlSeconds: 600,
    });
    const now = Date.now();
    const titles = [1, 2, 3].map((n) => `emulator-${now}-${n}.xlsx`);
    const batch = JSON.stringify({
      batchId: `b-emu-${now}`,
      events: titles.map((title, i) => ({
        type: 'app',
        ts: new Date(now - i * 1000).toISOString(),
        user: 'yamada',
        app: 'excel.exe',
        title,
      })),
    });

    // Act 1: ingest's handler with ingest's deployed environment.
    Object.assign(process.env, out.function_environment.value.ingest);
    const ingest = await import('../../functions/ingest/handler.js');
    const accepted = await ingest.handler(urlEvent(batch, { token }), lambdaContext());

    // Act 2: what ingest put on the batch queue, given to split's handler with split's environment.
    const sqs = new SQSClient(config);
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: out.batch_queue_url.value,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 2,
      }),
    );
    const messages = received.Messages ?? [];
    const queueArn = `arn:aws:sqs:ap-northeast-1:123456789012:${out.batch_queue_url.value.split('/').pop()}`;
    Object.assign(process.env, out.function_environment.value.split);
    const split = await import('../../functions/split/handler.js');
    const event: SQSEvent = {
      Records: messages.map((m, i) => record(m.Body ?? '', m.MessageId ?? `m-${i}`, queueArn)),
    };
    // moto evaluates the bucket's TLS-only policy, and this endpoint is plain HTTP: split's own
    // writes (the usage meter's object) are refused until the policy is lifted; it is put back
    // right after, and before the re-plan checks for drift.
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    const bucket = out.lake_bucket.value;
    const policy = (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '';
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    let result: Awaited<ReturnType<typeof split.handler>>;
    try {
      result = await split.handler(event, lambdaContext());
    } finally {
      await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    }

    // Assess: the emulated Firehose stream delivered the events into the lake under raw/ (reading
    // over HTTP is refused until the policy is lifted again), and split metered the batch in usage/.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'raw/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? '');
    const firstKey = keys[0] ?? 'raw/missing';
    const overHttp = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: firstKey })).then(
      () => 'read',
      (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
    );
    let lake = '';
    let usage = '';
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    try {
      const read = async (prefixKeys: string[]) =>
        (
          await Promise.all(
            prefixKeys.map(async (key) => {
              const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
              return (await got.Body?.transformToString()) ?? '';
            }),
          )
        ).join('\n');
      lake = await read(keys);
      const metered = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'usage/' }));
      usage = await read((metered.Contents ?? []).map((o) => o.Key ?? ''));
    } finally {
      await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    }
    expect(accepted.statusCode).toBe(202);
    expect(overHttp).toBe(403);
    expect(keys.length).toBeGreaterThan(0);
    expect(messages).toHaveLength(1);
    expect(result).toEqual({ batchItemFailures: [] });
    for (const title of titles) expect(lake).toContain(title);
    expect(lake).toContain('"tenant_id":"emu-tenant"');
    expect(usage).toContain('"tenant_id":"emu-tenant"');
    expect(usage).toContain(`"eventsAccepted":${titles.length}`);
  });

  it('runs the dlq-sweeper with its deployed environment: every DLQ swept, a poison letter archived, one alert', async () => {
    // Prepare: a poison letter in the batch queue's DLQ (as SQS leaves it after maxReceiveCount).
    const out = outputs();
    const config = motoClientConfig();
    const env = out.function_environment.value['dlq-sweeper'] ?? {};
    const sources = JSON.parse(env.OPLAKE_DLQ_SOURCES ?? '[]') as { name: string; dlqUrl: string }[];
    const batchesDlq = sources.find((s) => s.name === 'batches')?.dlqUrl ?? '';
    const sqs = new SQSClient(config);
    const poison = '{"poison":"emulator"}';
    await sqs.send(new SendMessageCommand({ QueueUrl: batchesDlq, MessageBody: poison }));
    Object.assign(process.env, env);
    const sweeper = await import('../../functions/dlq-sweeper/handler.js');
    // The lake's TLS-only policy refuses this plain-HTTP endpoint (see above): lifted for the run.
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    const bucket = out.lake_bucket.value;
    const policy = (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '';
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    let summary: Awaited<ReturnType<typeof sweeper.handler>>;
    let archive: string[];
    try {
      // split's record of the failure, beside the letter.
      const failure = Object.assign(new Error('events: expected array'), { name: 'BatchMessageError' });
      await recordFailure(new S3ObjectStore(s3, bucket), {
        body: poison,
        error: failure,
        recordedBy: 'split',
        now: new Date(),
        receiveCount: 5,
      });
      // Act
      summary = await sweeper.handler({}, lambdaContext());
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'archive/dlq/batches/' }),
      );
      archive = (listed.Contents ?? []).map((o) => o.Key ?? '');
    } finally {
      await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    }
    // Assess
    expect(sources.map((s) => s.name).sort()).toEqual(['batches', 'fanout']);
    expect(summary.sources.batches).toMatchObject({ seen: 1, archived: 1, errors: [] });
    expect(summary.sources.fanout).toMatchObject({ seen: 0, errors: [] });
    expect(summary.sources.firehose?.errors).toEqual([]);
    expect(summary.alerts).toBe(1);
    expect(archive).toHaveLength(1);
  });
});
