/**
 * The Firehose side of split. A record is JSON Lines: up to 500 events of ONE tenant and ONE
 * date, each line carrying `tenant_id` and `dt`, which Firehose's dynamic partitioning reads
 * after record deaggregation. `putRecords` resolves only when every record is durably
 * accepted; it rejects (DeliveryError) when some could not be, after its own retries.
 */
export interface DeliveryRecord {
  tenantId: string;
  dt: string;
  /** Newline-terminated JSON lines. */
  data: Uint8Array;
  events: number;
}

export interface DeliveryStream {
  putRecords(records: readonly DeliveryRecord[]): Promise<void>;
}

/** Firehose record limits (FACTS.md). */
export const FIREHOSE_LIMITS = Object.freeze({
  maxEventsPerRecord: 500,
  maxRecordBytes: 1000 * 1024,
  maxRecordsPerCall: 500,
  maxBytesPerCall: 4 * 1024 * 1024,
});

export class DeliveryError extends Error {
  readonly failedRecords: number;
  constructor(message: string, failedRecords: number, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'DeliveryError';
    this.failedRecords = failedRecords;
  }
}
