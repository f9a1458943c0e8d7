/** The usage entries each hook records, one small builder per source (see meter.ts). */
import type { ConversionResult } from '../conversion/convert.js';
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

/** A query that answered (each page is a query the engine ran, and billed). */
export function searchUsage(tenantId: string, stats: { scannedBytes: number; queryId: string }): UsageEntry {
  return {
    tenantId,
    id: `query:${stats.queryId}`,
    counters: { searches: 1, scannedBytes: stats.scannedBytes },
  };
}

/** One tenant-day converted by one run. */
export function conversionUsage(result: ConversionResult): UsageEntry {
  return {
    tenantId: result.tenantId,
    id: `conversion:${result.runId}:${result.tenantId}:${result.dt}`,
    counters: { conversions: 1, convertedRows: result.rows },
  };
}
