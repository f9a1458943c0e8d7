import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from '@jest/globals';
import { motoClientConfig, uniqueName } from './moto-kit.js';
import { SqsMessageQueue } from './sqs-message-queue.js';

describe('SqsMessageQueue against moto_server', () => {
  it('sends to a standard queue with MessageGroupId = tenant, and the consumer receives both', async () => {
    // Prepare
    const client = new SQSClient(motoClientConfig());
    const created = await client.send(
      new CreateQueueCommand({
        QueueName: uniqueName('oplake-batches'),
        Attributes: { MaximumMessageSize: String(1024 * 1024) },
      }),
    );
    const queueUrl = created.QueueUrl ?? '';
    const queue = new SqsMessageQueue(client, queueUrl);
    // Act
    await queue.send({ body: '{"v":1,"tenantId":"acme-corp"}', groupId: 'acme-corp' });
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    // Assess
    expect(received.Messages).toHaveLength(1);
    expect(received.Messages?.[0]?.Body).toBe('{"v":1,"tenantId":"acme-corp"}');
    expect(received.Messages?.[0]?.Attributes?.MessageGroupId).toBe('acme-corp');
  });
});
