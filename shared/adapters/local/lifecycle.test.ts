import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { FileObjectStore } from './file-object-store.js';
import { expirationTime, expireObjects } from './lifecycle.js';

describe('S3 lifecycle expiration, modelled', () => {
  it('is due the rule’s days after creation, rounded up to the next midnight UTC', () => {
    // S3 user guide: an object created 2014-01-01 10:30 UTC under a 3-day rule expires 2014-01-05 00:00 UTC.
    expect(expirationTime(new Date('2014-01-01T10:30:00Z'), 3).toISOString()).toBe(
      '2014-01-05T00:00:00.000Z',
    );
    expect(expirationTime(new Date('2026-11-24T00:00:00Z'), 1).toISOString()).toBe(
      '2026-11-25T00:00:00.000Z',
    );
  });

  it('removes only objects under the rule’s prefix whose time has come, aged by the store’s clock', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'oplake-lifecycle-'));
    let now = new Date('2026-11-24T10:00:00Z');
    const store = new FileObjectStore(dir, { clock: { now: () => now } });
    await store.put('spool/tenant_id=acme/old.json', '{}');
    await store.put('rejects/tenant_id=acme/old.json', '{}');
    now = new Date('2026-11-26T10:00:00Z');
    await store.put('spool/tenant_id=acme/new.json', '{}');
    const rule = { prefix: 'spool/', expirationDays: 2 };
    try {
      // Act
      const before = await expireObjects(store, [rule], new Date('2026-11-26T23:59:59Z'));
      const due = await expireObjects(store, [rule], new Date('2026-11-27T00:00:00Z'));
      // Assess
      expect(before).toEqual([]);
      expect(due).toEqual(['spool/tenant_id=acme/old.json']);
      expect(await store.get('spool/tenant_id=acme/new.json')).not.toBeNull();
      expect(await store.get('rejects/tenant_id=acme/old.json')).not.toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
