/**
 * Removes every byte of one tenant: raw/, archive/raw/, parquet-v2/, parquet/, rejects/, spool/ (layout.ts
 * tenantPrefixes) and leftovers of conversion attempts under staging/RUN/tenant_id=T/. Used by
 * `DELETE /v1/admin/tenants/{id}` and `oplake tenant delete`. A nightly conversion running for the
 * tenant at the same moment can re-create objects: callers stop ingest for the tenant first
 * (revoke its keys) and may call again; the call is idempotent.
 */
import { assertTenant, PREFIX, tenantPrefixes } from '../domain/layout.js';
import type { ObjectStore } from '../ports/object-store.js';
import { deletePrefix } from './retention.js';

export interface TenantDeletion {
  tenantId: string;
  objects: number;
  bytes: number;
}

export async function deleteTenant(store: ObjectStore, tenantId: string): Promise<TenantDeletion> {
  assertTenant(tenantId);
  const prefixes = [...tenantPrefixes(tenantId)];
  for (const runPrefix of await store.listPrefixes(PREFIX.staging)) {
    prefixes.push(`${runPrefix}tenant_id=${tenantId}/`);
  }
  let objects = 0;
  let bytes = 0;
  for (const prefix of prefixes) {
    const r = await deletePrefix(store, prefix);
    objects += r.objects;
    bytes += r.bytes;
  }
  return { tenantId, objects, bytes };
}
