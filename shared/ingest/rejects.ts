/**
 * Invalid events are kept aside, never dropped (CONTRACT.md "Ingest"): one JSON object per
 * batch under `rejects/tenant_id=T/dt=D/` with D the UTC date the batch was received.
 *
 * The key is a function of (tenant, received date, batch id, batch device), so a redelivered
 * queue message or a retried write overwrites the same object instead of adding a copy. The
 * batch device is part of the name because two devices may use the same batch id (idempotency
 * is per (tenant, device, batchId)); `~` is outside the id alphabet, so names never collide.
 */
import type { RejectedEvent } from '../domain/batch-message.js';
import { partitionPrefix } from '../domain/layout.js';
import type { ObjectStore } from '../ports/object-store.js';

export interface RejectsFile {
  tenantId: string;
  batchId: string;
  deviceId: string | null;
  receivedAt: string;
  rejects: RejectedEvent[];
}

export function rejectsKey(tenantId: string, receivedAt: string, batchId: string, deviceId?: string): string {
  const name = deviceId === undefined ? batchId : `${batchId}~${deviceId}`;
  return `${partitionPrefix('rejects', tenantId, receivedAt.slice(0, 10))}${name}.json`;
}

/** Writes the batch's rejects (no-op when there are none). */
export async function writeRejects(
  store: ObjectStore,
  batch: {
    tenantId: string;
    batchId: string;
    deviceId?: string | undefined;
    receivedAt: string;
    rejects: RejectedEvent[];
  },
): Promise<string | null> {
  if (batch.rejects.length === 0) return null;
  const key = rejectsKey(batch.tenantId, batch.receivedAt, batch.batchId, batch.deviceId);
  const file: RejectsFile = {
    tenantId: batch.tenantId,
    batchId: batch.batchId,
    deviceId: batch.deviceId ?? null,
    receivedAt: batch.receivedAt,
    rejects: batch.rejects,
  };
  await store.put(key, `${JSON.stringify(file)}\n`, { contentType: 'application/json' });
  return key;
}
