/**
 * test/moto/launcher.py: moto_server 5.2.1 with the handlers Terraform and the workflow tests need
 * added or fixed. Each fix is checked here against the launcher itself (its own process and port).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  CreateStateMachineCommand,
  ListStateMachineVersionsCommand,
  SFNClient,
  StartExecutionCommand,
  ValidateStateMachineDefinitionCommand,
} from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const ROLE = 'arn:aws:iam::123456789012:role/launcher-test';
const PASS = JSON.stringify({
  StartAt: 'Wait',
  States: { Wait: { Type: 'Wait', Seconds: 1, Next: 'Done' }, Done: { Type: 'Pass', End: true } },
});

let child: ChildProcess;
let endpoint = '';
let dir = '';

function config() {
  return {
    endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'oplake-launcher-'));
  const portFile = join(dir, 'port');
  child = spawn('python3', [join(ROOT, 'test/moto/launcher.py'), '--port-file', portFile, '--sfn-execute'], {
    stdio: 'ignore',
  });
  const started = Date.now();
  while (!existsSync(portFile)) {
    if (child.exitCode !== null) throw new Error(`launcher exited with ${child.exitCode}`);
    if (Date.now() - started > 30_000) throw new Error('launcher did not start within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  endpoint = `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
});

afterAll(() => {
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('moto launcher: Step Functions', () => {
  it('answers ValidateStateMachineDefinition: OK for JSON, FAIL otherwise', async () => {
    // Prepare
    const sfn = new SFNClient(config());
    // Act
    const good = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: PASS }));
    const bad = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: '{"StartAt":' }));
    // Assess
    expect(good.result).toBe('OK');
    expect(bad.result).toBe('FAIL');
    expect(bad.diagnostics?.[0]?.code).toBe('INVALID_JSON_DESCRIPTION');
  });

  it('lists no state machine versions, and starts one state machine many times', async () => {
    // Prepare
    const sfn = new SFNClient(config());
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: `launcher-${Date.now()}`, definition: PASS, roleArn: ROLE }),
    );
    // Act
    const versions = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn }));
    const runs = [];
    for (let i = 0; i < 3; i++)
      runs.push(await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' })));
    const named = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'same', input: '{}' }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'same', input: '{}' }));
    // Assess
    expect(versions.stateMachineVersions).toEqual([]);
    expect(new Set(runs.map((r) => r.executionArn)).size).toBe(3);
    expect(again.executionArn).toBe(named.executionArn);
  });
});

describe('moto launcher: SQS', () => {
  it('returns RedrivePolicy compact and RedriveAllowPolicy at all', async () => {
    // Prepare
    const sqs = new SQSClient(config());
    const name = `launcher-${Date.now()}`;
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const dlqArn = `arn:aws:sqs:ap-northeast-1:123456789012:${name}-dlq`;
    const redrive = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 });
    const queue = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { RedrivePolicy: redrive } }),
    );
    const allow = JSON.stringify({
      redrivePermission: 'byQueue',
      sourceQueueArns: [dlqArn.replace('-dlq', '')],
    });
    // Act
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, Attributes: { RedriveAllowPolicy: allow } }),
    );
    const source = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['RedrivePolicy'] }),
    );
    const target = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['RedriveAllowPolicy'] }),
    );
    // Assess
    expect(source.Attributes?.RedrivePolicy).toBe(redrive);
    expect(target.Attributes?.RedriveAllowPolicy).toBe(allow);
  });
});

/** moto routes unsigned REST calls by the credential scope of the Authorization header. */
const LAMBDA_HEADERS = {
  'content-type': 'application/json',
  authorization:
    'AWS4-HMAC-SHA256 Credential=test/20261124/ap-northeast-1/lambda/aws4_request, SignedHeaders=host, Signature=0',
};

describe('moto launcher: Lambda', () => {
  it('keeps LoggingConfig on create and update', async () => {
    // Prepare: the Lambda REST API directly (moto checks no signature).
    const name = `launcher-${Date.now()}`;
    await fetch(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: LAMBDA_HEADERS.authorization
          .replace('/lambda/', '/iam/')
          .replace('ap-northeast-1', 'us-east-1'),
      },
      body: new URLSearchParams({
        Action: 'CreateRole',
        Version: '2010-05-08',
        RoleName: `${name}-role`,
        AssumeRolePolicyDocument: '{}',
      }).toString(),
    });
    const zip = readFileSync(join(ROOT, 'terraform/tests/fixtures/zips/ingest.zip')).toString('base64');
    const create = await fetch(`${endpoint}/2015-03-31/functions`, {
      method: 'POST',
      headers: LAMBDA_HEADERS,
      body: JSON.stringify({
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Role: `arn:aws:iam::123456789012:role/${name}-role`,
        Handler: 'index.handler',
        Code: { ZipFile: zip },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: `/aws/lambda/${name}`, ApplicationLogLevel: 'INFO' },
      }),
    });
    // Act
    const created = (await (
      await fetch(`${endpoint}/2015-03-31/functions/${name}/configuration`, { headers: LAMBDA_HEADERS })
    ).json()) as {
      LoggingConfig?: Record<string, string>;
    };
    await fetch(`${endpoint}/2015-03-31/functions/${name}/configuration`, {
      method: 'PUT',
      headers: LAMBDA_HEADERS,
      body: JSON.stringify({
        LoggingConfig: { LogFormat: 'JSON', LogGroup: `/aws/lambda/${name}`, ApplicationLogLevel: 'WARN' },
      }),
    });
    const updated = (await (
      await fetch(`${endpoint}/2015-03-31/functions/${name}/configuration`, { headers: LAMBDA_HEADERS })
    ).json()) as {
      LoggingConfig?: Record<string, string>;
    };
    // Assess
    expect(create.status).toBe(201);
    expect(created.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO' });
    expect(updated.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'WARN' });
  });
});
