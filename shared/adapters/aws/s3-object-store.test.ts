import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { ObjectInfo } from '../../ports/object-store.js';
import { motoClientConfig, uniqueName } from './moto-kit.js';
import { S3ObjectStore } from './s3-object-store.js';

async function collect(items: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function inParallel<T>(
  items: readonly T[],
  width: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await task(item);
      }
    }),
  );
}

describe('S3ObjectStore against moto_server', () => {
  let client: S3Client;
  let store: S3ObjectStore;

  beforeAll(() => {
    client = new S3Client({ ...motoClientConfig(), forcePathStyle: true });
  });

  beforeEach(async () => {
    const bucket = uniqueName('oplake-lake');
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-1' },
      }),
    );
    store = new S3ObjectStore(client, bucket);
  });

  it('puts and gets bytes and text, and reads a missing key as null', async () => {
    // Prepare
    await store.put('raw/tenant_id=acme/dt=2026-11-24/a.json', '{"a":1}\n', {
      contentType: 'application/json',
    });
    await store.put('raw/tenant_id=acme/dt=2026-11-24/b.bin', new Uint8Array([0, 1, 255]));
    // Act
    const text = await store.get('raw/tenant_id=acme/dt=2026-11-24/a.json');
    const bytes = await store.get('raw/tenant_id=acme/dt=2026-11-24/b.bin');
    const missing = await store.get('raw/tenant_id=acme/dt=2026-11-24/none.json');
    // Assess
    expect(Buffer.from(text ?? []).toString()).toBe('{"a":1}\n');
    expect([...(bytes ?? [])]).toEqual([0, 1, 255]);
    expect(missing).toBeNull();
  });

  it('lists every object under a prefix across pages, in key order, and deletes more than 1,000 keys', async () => {
    // Prepare
    const keys = Array.from(
      { length: 1105 },
      (_, i) => `spool/tenant_id=acme/${String(i).padStart(5, '0')}.json`,
    );
    await inParallel(keys, 32, (key) => store.put(key, 'x'));
    await store.put('spool/tenant_id=other/0.json', 'y');
    // Act
    const listed = await collect(store.list('spool/tenant_id=acme/'));
    await store.delete([...keys, 'spool/tenant_id=acme/never-existed.json']);
    const after = await collect(store.list('spool/tenant_id=acme/'));
    // Assess
    expect(listed.map((o) => o.key)).toEqual(keys);
    expect(listed[0]?.size).toBe(1);
    expect(listed[0]?.lastModified).toBeInstanceOf(Date);
    expect(after).toEqual([]);
    expect(await store.get('spool/tenant_id=other/0.json')).not.toBeNull();
  }, 120_000);

  it('lists the next level of prefixes', async () => {
    // Prepare
    await store.put('raw/tenant_id=acme/dt=2026-11-23/a.json', 'a');
    await store.put('raw/tenant_id=acme/dt=2026-11-24/b.json', 'b');
    await store.put('raw/tenant_id=globex/dt=2026-11-24/c.json', 'c');
    await store.put('parquet/tenant_id=acme/dt=2026-11-24/d.parquet', 'd');
    // Act
    const tenants = await store.listPrefixes('raw/');
    const days = await store.listPrefixes('raw/tenant_id=acme/');
    const none = await store.listPrefixes('archive/raw/');
    // Assess
    expect(tenants).toEqual(['raw/tenant_id=acme/', 'raw/tenant_id=globex/']);
    expect(days).toEqual(['raw/tenant_id=acme/dt=2026-11-23/', 'raw/tenant_id=acme/dt=2026-11-24/']);
    expect(none).toEqual([]);
  });

  it('copies an object, keys with special characters included', async () => {
    // Prepare
    const from = 'raw/tenant_id=acme/dt=2026-11-24/a b+c=d.json';
    await store.put(from, 'payload');
    // Act
    await store.copy(from, 'archive/raw/tenant_id=acme/dt=2026-11-24/a b+c=d.json');
    // Assess
    const copied = await store.get('archive/raw/tenant_id=acme/dt=2026-11-24/a b+c=d.json');
    expect(Buffer.from(copied ?? []).toString()).toBe('payload');
    expect(await store.get(from)).not.toBeNull();
  });
});
