/**
 * An SQS dead-letter queue as a dead-letter source of the dlq-sweeper, with the queue its
 * letters came from. Letters are received with a visibility timeout shorter than the sweep
 * schedule, so one the sweeper leaves (waiting for its backoff) is not seen twice in a sweep and
 * is back for the next one. A redrive is SendMessage to the source queue (same body and group),
 * then DeleteMessage from the DLQ: a crash between leaves a copy in both, never none.
 * (StartMessageMoveTask moves a whole DLQ at once; the runbook uses it for a redrive by hand.)
 */
import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterSource } from '../../dlq/ports.js';

export interface SqsDeadLettersOptions {
  name: string;
  dlqUrl: string;
  /** Where a redriven letter goes back to. */
  queueUrl: string;
  /** Seconds a received letter stays invisible (default 300; keep it under the sweep period). */
  visibilityTimeoutSeconds?: number;
  /** Long-poll wait per receive (default 1 s; an empty answer ends the sweep of this queue). */
  waitSeconds?: number;
}

export class SqsDeadLetters implements DeadLetterSource {
  readonly name: string;

  constructor(
    private readonly client: SQSClient,
    private readonly options: SqsDeadLettersOptions,
  ) {
    this.name = options.name;
  }

  async *pages(pageSize: number): AsyncIterable<DeadLetter[]> {
    for (;;) {
      const answer = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.options.dlqUrl,
          MaxNumberOfMessages: Math.max(1, Math.min(10, pageSize)),
          VisibilityTimeout: this.options.visibilityTimeoutSeconds ?? 300,
          WaitTimeSeconds: this.options.waitSeconds ?? 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const messages = answer.Messages ?? [];
      if (messages.length === 0) return;
      yield messages.map(toDeadLetter);
    }
  }

  async redrive(letter: DeadLetter): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        MessageBody: letter.body,
        ...(letter.groupId === null ? {} : { MessageGroupId: letter.groupId }),
      }),
    );
    await this.delete(letter);
  }

  async remove(letter: DeadLetter): Promise<void> {
    await this.delete(letter);
  }

  private async delete(letter: DeadLetter): Promise<void> {
    await this.client.send(
      new DeleteMessageCommand({ QueueUrl: this.options.dlqUrl, ReceiptHandle: letter.handle }),
    );
  }
}

function toDeadLetter(message: Message): DeadLetter {
  const attributes = message.Attributes ?? {};
  const sent = Number(attributes.SentTimestamp);
  if (message.MessageId === undefined || message.ReceiptHandle === undefined) {
    throw new TypeError('SQS answered a message without MessageId or ReceiptHandle');
  }
  return {
    id: message.MessageId,
    body: message.Body ?? '',
    groupId: attributes.MessageGroupId ?? null,
    // The DLQ's own receive count says nothing about the source's; the failure record has it.
    receiveCount: null,
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : null,
    lastError: null,
    handle: message.ReceiptHandle,
  };
}
