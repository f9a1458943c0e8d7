/**
 * MessageQueue over an SQS standard queue used as a fair queue: MessageGroupId = tenant, so a
 * noisy tenant's backlog does not delay the others (FACTS.md "SQS"). The queue's
 * MaximumMessageSize must be raised to 1 MiB (MAX_QUEUE_MESSAGE_BYTES) by the infrastructure.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessageQueue, OutgoingMessage } from '../../ports/queue.js';

export class SqsMessageQueue implements MessageQueue {
  constructor(
    private readonly client: SQSClient,
    readonly queueUrl: string,
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: message.body,
        MessageGroupId: message.groupId,
      }),
    );
  }
}
