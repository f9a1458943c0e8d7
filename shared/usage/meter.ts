/**
 * Usage metering (per tenant and UTC day), the port. Hooks in split (events accepted and
 * rejected), search (searches and bytes scanned) and the conversion runner (nightly
 * conversions) record entries; an adapter keeps them in the lake (lake-usage-meter.ts) and
 * read-usage.ts sums them. Every entry has an id: a redelivered batch or a retried flush records
 * the same id again, and the reader counts each id once, so nothing is counted twice.
 */
export const USAGE_COUNTERS = [
  'eventsAccepted',
  'eventsRejected',
  'searches',
  'scannedBytes',
  'conversions',
  'convertedRows',
] as const;
export type UsageCounter = (typeof USAGE_COUNTERS)[number];
export type UsageCounters = Record<UsageCounter, number>;

export interface UsageEntry {
  tenantId: string;
  /** UTC day of the activity (YYYY-MM-DD); the meter's clock's today when absent. */
  day?: string;
  /** Unique per counted fact (a batch, a query, a conversion run). */
  id: string;
  counters: Partial<UsageCounters>;
}

export interface UsageMeter {
  /** Buffers one entry (no I/O). */
  record(entry: UsageEntry): void;
  /** Writes what is buffered; on failure the entries stay buffered and the error is thrown. */
  flush(): Promise<void>;
}

/** For callers that meter nothing (tests, benchmarks of the bare path). */
export const NO_USAGE_METER: UsageMeter = {
  record: () => undefined,
  flush: async () => undefined,
};

export function zeroCounters(): UsageCounters {
  return Object.fromEntries(USAGE_COUNTERS.map((c) => [c, 0])) as UsageCounters;
}

export function utcDay(at: Date | string): string {
  return (typeof at === 'string' ? new Date(at) : at).toISOString().slice(0, 10);
}
