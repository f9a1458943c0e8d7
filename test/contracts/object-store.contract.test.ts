/**
 * One contract for every ObjectStore adapter (STYLE.md "Ports and adapters"): the local file
 * store and the S3 adapter against moto_server behave the same for everything the product uses.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import type { ObjectInfo, ObjectStore } from '../../shared/ports/object-store.js';
import type { AdapterUnderTest } from './adapter.js';
import { s3Adapter } from './s3-adapter.js';

const fileAdapter: AdapterUnderTest = {
  name: 'FileObjectStore',
  async create() {
    const root = await mkdtemp(join(tmpdir(), 'oplake-store-'));
    return { store: new FileObjectStore(root), dispose: () => rm(root, { recursive: true, force: true }) };
  },
};

const ADAPTERS: readonly AdapterUnderTest[] = [fileAdapter, s3Adapter];

async function collect(items: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('utf8'));

for (const adapter of ADAPTERS) {
  describe(`${adapter.name}: ObjectStore contract`, () => {
    let store: ObjectStore;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      ({ store, dispose } = await adapter.create());
      await store.put('raw/tenant_id=acme-corp/dt=2026-11-24/b.json.gz', new Uint8Array([1, 2, 3]));
      await store.put('raw/tenant_id=acme-corp/dt=2026-11-24/a.json.gz', 'aaaa');
      await store.put('raw/tenant_id=acme-corp/dt=2026-11-25/c.json.gz', 'c');
      await store.put('raw/tenant_id=acme-corporate/dt=2026-11-24/d.json.gz', 'd');
      await store.put('raw/tenant_id=beta-inc/dt=2026-11-24/e.json.gz', 'e');
      await store.put('parquet/tenant_id=acme-corp/dt=2026-11-24/run-1.parquet', 'p');
    });
    afterAll(async () => {
      await dispose();
    });

    it('get returns the bytes put, as bytes or from a string', async () => {
      expect(Array.from((await store.get('raw/tenant_id=acme-corp/dt=2026-11-24/b.json.gz')) ?? [])).toEqual([
        1, 2, 3,
      ]);
      expect(text(await store.get('raw/tenant_id=acme-corp/dt=2026-11-24/a.json.gz'))).toBe('aaaa');
    });

    it('get of a missing key is null', async () => {
      expect(await store.get('raw/tenant_id=acme-corp/dt=2026-11-24/missing.json.gz')).toBeNull();
      expect(await store.get('nowhere/at/all.json')).toBeNull();
    });

    it('put over an existing key replaces it', async () => {
      await store.put('spool/tenant_id=acme-corp/x.json', 'first');
      await store.put('spool/tenant_id=acme-corp/x.json', 'second');
      expect(text(await store.get('spool/tenant_id=acme-corp/x.json'))).toBe('second');
    });

    it('list yields every object under a prefix, in key order, with sizes', async () => {
      const items = await collect(store.list('raw/tenant_id=acme-corp/'));
      expect(items.map((i) => i.key)).toEqual([
        'raw/tenant_id=acme-corp/dt=2026-11-24/a.json.gz',
        'raw/tenant_id=acme-corp/dt=2026-11-24/b.json.gz',
        'raw/tenant_id=acme-corp/dt=2026-11-25/c.json.gz',
      ]);
      expect(items.map((i) => i.size)).toEqual([4, 3, 1]);
      // (not `instanceof Date`: jest runs tests in another realm than node:fs)
      expect(items.every((i) => Number.isFinite(i.lastModified.getTime()))).toBe(true);
    });

    it('a prefix is a string prefix, not a folder: it can end inside a name', async () => {
      const keys = (await collect(store.list('raw/tenant_id=acme-corp'))).map((i) => i.key);
      expect(keys).toHaveLength(4); // acme-corp and acme-corporate
      const partial = (await collect(store.list('raw/tenant_id=acme-corp/dt=2026-11-24/a'))).map(
        (i) => i.key,
      );
      expect(partial).toEqual(['raw/tenant_id=acme-corp/dt=2026-11-24/a.json.gz']);
    });

    it('list of an empty prefix yields nothing', async () => {
      expect(await collect(store.list('raw/tenant_id=nobody/'))).toEqual([]);
    });

    it('listPrefixes answers the next level of folders, sorted', async () => {
      expect(await store.listPrefixes('raw/')).toEqual([
        'raw/tenant_id=acme-corp/',
        'raw/tenant_id=acme-corporate/',
        'raw/tenant_id=beta-inc/',
      ]);
      expect(await store.listPrefixes('raw/tenant_id=acme-corp/')).toEqual([
        'raw/tenant_id=acme-corp/dt=2026-11-24/',
        'raw/tenant_id=acme-corp/dt=2026-11-25/',
      ]);
      expect(await store.listPrefixes('raw/tenant_id=nobody/')).toEqual([]);
    });

    it('copy duplicates an object; the source stays', async () => {
      await store.copy(
        'raw/tenant_id=beta-inc/dt=2026-11-24/e.json.gz',
        'archive/raw/tenant_id=beta-inc/dt=2026-11-24/e.json.gz',
      );
      expect(text(await store.get('archive/raw/tenant_id=beta-inc/dt=2026-11-24/e.json.gz'))).toBe('e');
      expect(text(await store.get('raw/tenant_id=beta-inc/dt=2026-11-24/e.json.gz'))).toBe('e');
    });

    it('delete removes the keys that exist and ignores missing ones', async () => {
      await store.put('staging/run-1/tenant_id=acme-corp/dt=2026-11-24/0.parquet', '0');
      await store.put('staging/run-1/tenant_id=acme-corp/dt=2026-11-24/1.parquet', '1');
      await store.delete([
        'staging/run-1/tenant_id=acme-corp/dt=2026-11-24/0.parquet',
        'staging/run-1/tenant_id=acme-corp/dt=2026-11-24/missing.parquet',
      ]);
      const keys = (await collect(store.list('staging/run-1/'))).map((i) => i.key);
      expect(keys).toEqual(['staging/run-1/tenant_id=acme-corp/dt=2026-11-24/1.parquet']);
      await store.delete([]);
    });

    it('move puts every object under its new key (a new folder too) and removes the old key', async () => {
      await store.put('staging/run-2/tenant_id=acme-corp/dt=2026-11-24/0.parquet', 'zero');
      await store.put('staging/run-2/tenant_id=acme-corp/dt=2026-11-24/1.parquet', new Uint8Array([1, 1]));
      await store.move([
        {
          from: 'staging/run-2/tenant_id=acme-corp/dt=2026-11-24/0.parquet',
          to: 'parquet/tenant_id=new-corp/dt=2026-11-24/run-2-0.parquet',
        },
        {
          from: 'staging/run-2/tenant_id=acme-corp/dt=2026-11-24/1.parquet',
          to: 'parquet/tenant_id=new-corp/dt=2026-11-24/run-2-1.parquet',
        },
      ]);
      expect(await collect(store.list('staging/run-2/'))).toEqual([]);
      const moved = await collect(store.list('parquet/tenant_id=new-corp/'));
      expect(moved.map((i) => [i.key, i.size])).toEqual([
        ['parquet/tenant_id=new-corp/dt=2026-11-24/run-2-0.parquet', 4],
        ['parquet/tenant_id=new-corp/dt=2026-11-24/run-2-1.parquet', 2],
      ]);
      expect(text(await store.get('parquet/tenant_id=new-corp/dt=2026-11-24/run-2-0.parquet'))).toBe('zero');
      await store.move([]);
    });

    it('move of a missing object fails, and what it moved before stays moved, nothing lost', async () => {
      await store.put('raw/tenant_id=move-inc/dt=2026-11-24/a.json.gz', 'a');
      await expect(
        store.move([
          {
            from: 'raw/tenant_id=move-inc/dt=2026-11-24/a.json.gz',
            to: 'archive/raw/tenant_id=move-inc/a.json.gz',
          },
          {
            from: 'raw/tenant_id=move-inc/dt=2026-11-24/gone.json.gz',
            to: 'archive/raw/tenant_id=move-inc/gone.json.gz',
          },
        ]),
      ).rejects.toThrow();
      expect(text(await store.get('archive/raw/tenant_id=move-inc/a.json.gz'))).toBe('a');
      expect(await store.get('archive/raw/tenant_id=move-inc/gone.json.gz')).toBeNull();
    });

    it('keys may hold every character of the id alphabet and the rejects separator', async () => {
      const key = 'rejects/tenant_id=acme-corp/dt=2026-11-24/b.1:x@y_z-0~pc-001.json';
      await store.put(key, '{}');
      expect(text(await store.get(key))).toBe('{}');
      expect((await collect(store.list('rejects/tenant_id=acme-corp/'))).map((i) => i.key)).toEqual([key]);
    });

    it('a folder whose objects were all deleted is no longer a prefix (S3 has no empty folders)', async () => {
      await store.put('raw/tenant_id=gone-inc/dt=2026-11-20/x.json.gz', 'x');
      await store.delete(['raw/tenant_id=gone-inc/dt=2026-11-20/x.json.gz']);
      expect(await store.listPrefixes('raw/')).not.toContain('raw/tenant_id=gone-inc/');
      expect(await store.listPrefixes('raw/tenant_id=gone-inc/')).toEqual([]);
    });
  });
}
