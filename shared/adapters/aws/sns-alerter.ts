/** Critical alerts to an SNS topic (email subscribers; the same topic as the CloudWatch alarms). */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert, Alerter } from '../../dlq/ports.js';

/** SNS: a subject is printable ASCII without line breaks, under 100 characters. */
export function snsSubject(subject: string): string {
  const clean = subject
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > 99 ? `${clean.slice(0, 98)}…`.replace(/…$/, '.') : clean;
}

export class SnsAlerter implements Alerter {
  constructor(
    private readonly client: SNSClient,
    readonly topicArn: string,
  ) {}

  async publish(alert: Alert): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: snsSubject(alert.subject),
        Message: `${alert.message}\n\nrule: ${alert.rule}\nkey: ${alert.key}`,
        MessageAttributes: { rule: { DataType: 'String', StringValue: alert.rule } },
      }),
    );
  }
}
