/**
 * An SQS event record as the Lambda event source mapping delivers it. Local mode builds these
 * from its disk queue; tests build them to invoke the SQS consumers (split, ctas-runner).
 */
import { createHash } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';

export interface SqsRecordOptions {
  messageId: string;
  body: string;
  receiptHandle?: string;
  /** Fair-queue group (the tenant). */
  groupId?: string;
  receiveCount?: number;
  /** Milliseconds since the epoch. */
  sentAt?: number;
  senderId?: string;
  queueArn?: string;
}

export function sqsRecord(options: SqsRecordOptions): SQSRecord {
  const sentAt = String(options.sentAt ?? 0);
  const queueArn = options.queueArn ?? 'arn:aws:sqs:ap-northeast-1:123456789012:oplake-batches';
  return {
    messageId: options.messageId,
    receiptHandle: options.receiptHandle ?? `rh-${options.messageId}`,
    body: options.body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: sentAt,
      SenderId: options.senderId ?? 'local',
      ApproximateFirstReceiveTimestamp: sentAt,
      ...(options.groupId === undefined ? {} : { MessageGroupId: options.groupId }),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(options.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'local',
  };
}
