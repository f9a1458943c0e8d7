/**
 * What the dlq-sweeper needs of a dead-letter queue, of the alert channel and of the metrics
 * sink. Adapters: SQS (shared/adapters/aws/sqs-dead-letters.ts) and the local disk queue
 * (shared/adapters/local/disk-dead-letters.ts); SNS and a local file for alerts.
 */
export interface DeadLetter {
  /** The queue's message id. */
  id: string;
  body: string;
  /** Fair-queue group (the tenant), kept on a redrive. */
  groupId: string | null;
  /** Receives at the source queue when the queue says (local disk queue), else null. */
  receiveCount: number | null;
  /** When the message was first sent (ISO); a DLQ keeps the original time. */
  sentAt: string | null;
  /** What the queue itself recorded as the last error (local disk queue), else null. */
  lastError: string | null;
  /** Opaque to the sweeper: what the adapter needs to redrive or remove this copy. */
  handle: string;
}

export interface DeadLetterSource {
  /** Source name: archive folder, metric dimension, alert key (`batches`, `fanout`). */
  readonly name: string;
  /**
   * The dead letters, a page at a time. A message the sweeper leaves alone (waiting for its
   * backoff) is not handed out again in the same sweep.
   */
  pages(pageSize: number): AsyncIterable<DeadLetter[]>;
  /** Back onto the source queue, then off the DLQ (in that order: a crash between gives a duplicate, never a loss). */
  redrive(letter: DeadLetter): Promise<void>;
  /** Off the DLQ; called only once the letter is archived. */
  remove(letter: DeadLetter): Promise<void>;
}

export interface Alert {
  /** Rule name: permanent_failures, dlq_message_age, firehose_delivery, sweeper_failed, nightly_tenant_failed. */
  rule: string;
  /** Dedup key: the same key inside the dedup window is sent once. */
  key: string;
  subject: string;
  message: string;
}

export interface Alerter {
  publish(alert: Alert): Promise<void>;
}

/** One count with dimensions (EMF on AWS: one metric per source and class). */
export interface SweepMetrics {
  count(name: string, dimensions: Record<string, string>, value: number): void;
}
