/** The usage entries each hook records, one small builder per source (see meter.ts). */
import type { BatchMessage } from '../domain/batch-message.js';
import type { UsageEntry } from './meter.js';

/** A batch split delivered: counted on the day it was received, once per (tenant, device, batch). */
export function batchUsage(batch: BatchMessage, accepted: number, rejected: number): UsageEntry {
  return {
    tenantId: batch.tenantId,
    day: batch.receivedAt.slice(0, 10),
    id: `batch:${batch.tenantId}:${batch.deviceId ?? ''}:${batch.batchId}`,
    counters: { eventsAccepted: accepted, eventsRejected: rejected },
  };
}

/** A batch ingest answered 422 (no valid event): its rejects, counted once per batch. */
export function rejectedBatchUsage(
  batch: { tenantId: string; deviceId?: string | undefined; batchId: string; rejects: readonly unknown[] },
  receivedAt: string,
): UsageEntry {
  return {
    tenantId: batch.tenantId,
    day: receivedAt.slice(0, 10),
    id: `batch:${batch.tenantId}:${batch.deviceId ?? ''}:${batch.batchId}`,
    counters: { eventsAccepted: 0, eventsRejected: batch.rejects.length },
  };
}

/** A query that answered (each page is a query the engine ran, and billed). */
export function searchUsage(tenantId: string, stats: { scannedBytes: number; queryId: string }): UsageEntry {
  return {
    tenantId,
    id: `query:${stats.queryId}`,
    counters: { searches: 1, scannedBytes: stats.scannedBytes },
  };
}

/** One tenant-day converted by one run (the fields of a ConversionResult it needs). */
export function conversionUsage(result: {
  tenantId: string;
  dt: string;
  runId: string;
  rows: number;
}): UsageEntry {
  return {
    tenantId: result.tenantId,
    id: `conversion:${result.runId}:${result.tenantId}:${result.dt}`,
    counters: { conversions: 1, convertedRows: result.rows },
  };
}
