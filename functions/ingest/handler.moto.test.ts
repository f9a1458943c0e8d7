/** The AWS composition root end to end against moto_server: SSM keys, DynamoDB, SQS. */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from '@jest/globals';
import { motoClientConfig, motoEndpoint, uniqueName } from '../../shared/adapters/aws/moto-kit.js';
import { newKeySet, signToken } from '../../shared/auth/tokens.js';
import { parseQueueMessage } from '../../shared/domain/batch-message.js';
import { appEvent, jsonBatch, lambdaContext, urlEvent } from './test-kit.js';

describe('ingest handler.ts on moto_server', () => {
  it('accepts a batch onto SQS and replays it from DynamoDB', async () => {
    // Prepare
    const config = motoClientConfig();
    const keySet = newKeySet('k1');
    const parameter = `/oplake/${uniqueName('keys')}`;
    await new SSMClient(config).send(
      new PutParameterCommand({ Name: parameter, Type: 'SecureString', Value: JSON.stringify(keySet) }),
    );
    const sqs = new SQSClient(config);
    const queueUrl =
      (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('oplake-batches') }))).QueueUrl ?? '';
    const bucket = uniqueName('oplake-lake');
    await new S3Client({ ...config, forcePathStyle: true }).send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-1' },
      }),
    );
    const table = uniqueName('oplake-idempotency');
    await new DynamoDBClient(config).send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: motoEndpoint(),
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      OPLAKE_BATCH_QUEUE_URL: queueUrl,
      OPLAKE_LAKE_BUCKET: bucket,
      OPLAKE_IDEMPOTENCY_TABLE: table,
      OPLAKE_KEYS_PARAMETER: parameter,
    });
    const { handler } = await import('./handler.js');
    const token = await signToken(keySet, {
      tenantId: 'acme-corp',
      scope: 'ingest',
      sub: 'pc-001',
      ttlSeconds: 600,
    });
    const event = urlEvent(jsonBatch('b-aws', [appEvent(1), appEvent(2)]), { token });
    // Act
    const first = await handler(event, lambdaContext());
    const replay = await handler(event, lambdaContext());
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    // Assess
    expect(first.statusCode).toBe(202);
    expect(replay.body).toBe(first.body);
    expect(received.Messages).toHaveLength(1);
    expect(received.Messages?.[0]?.Attributes?.MessageGroupId).toBe('acme-corp');
    expect(parseQueueMessage(received.Messages?.[0]?.Body ?? '')).toMatchObject({
      batchId: 'b-aws',
      tenantId: 'acme-corp',
    });
  });
});
