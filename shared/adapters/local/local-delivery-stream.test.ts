import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DeliveryRecord } from '../../ports/delivery-stream.js';
import { FileObjectStore } from './file-object-store.js';
import { LocalDeliveryStream } from './local-delivery-stream.js';

function record(tenantId: string, dt: string, ids: string[]): DeliveryRecord {
  const text = ids.map((id) => `${JSON.stringify({ event_id: id, tenant_id: tenantId, dt })}\n`).join('');
  return { tenantId, dt, data: Buffer.from(text), events: ids.length };
}

async function rawLines(store: FileObjectStore, prefix: string): Promise<{ key: string; ids: string[] }[]> {
  const out: { key: string; ids: string[] }[] = [];
  for await (const info of store.list(prefix)) {
    const body = await store.get(info.key);
    const text = gunzipSync(body ?? new Uint8Array()).toString('utf8');
    out.push({
      key: info.key,
      ids: text
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { event_id: string }).event_id),
    });
  }
  return out;
}

describe('LocalDeliveryStream', () => {
  let dir: string;
  let store: FileObjectStore;
  let clock: number;
  const fakeClock = { now: () => new Date(clock) };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oplake-stream-'));
    store = new FileObjectStore(join(dir, 'lake'));
    clock = Date.parse('2026-11-24T00:00:00Z');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function stream(options: { bufferBytes?: number; bufferAgeMs?: number } = {}) {
    return new LocalDeliveryStream({ dir: join(dir, 'stream'), store, clock: fakeClock, ...options });
  }

  it('buffers records on disk and writes one gzip object per (tenant, dt) under raw/ on a forced flush', async () => {
    // Prepare
    const s = stream();
    await s.putRecords([
      record('acme-corp', '2026-11-24', ['e1', 'e2']),
      record('beta-inc', '2026-11-24', ['x1']),
    ]);
    await s.putRecords([record('acme-corp', '2026-11-24', ['e3'])]);
    expect(await readdir(join(dir, 'stream'))).toHaveLength(2);

    // Act
    const result = await s.flush({ force: true });

    // Assess
    expect(result).toMatchObject({ objects: 2, events: 4 });
    const acme = await rawLines(store, 'raw/tenant_id=acme-corp/dt=2026-11-24/');
    expect(acme).toHaveLength(1);
    expect(acme[0]?.key).toMatch(/^raw\/tenant_id=acme-corp\/dt=2026-11-24\/local-[0-9a-f-]+\.json\.gz$/);
    expect(acme[0]?.ids).toEqual(['e1', 'e2', 'e3']);
    expect((await rawLines(store, 'raw/tenant_id=beta-inc/'))[0]?.ids).toEqual(['x1']);
    expect(await readdir(join(dir, 'stream'))).toEqual([]);
  });

  it('flushes without force only the buffers over the size or age threshold', async () => {
    const s = stream({ bufferBytes: 200, bufferAgeMs: 60_000 });
    await s.putRecords([record('acme-corp', '2026-11-24', ['a', 'b', 'c', 'd', 'e'])]); // > 200 bytes
    await s.putRecords([record('beta-inc', '2026-11-24', ['x'])]);

    expect((await s.flush()).objects).toBe(1);
    expect(await rawLines(store, 'raw/tenant_id=beta-inc/')).toEqual([]);

    clock += 60_000;
    expect((await s.flush()).objects).toBe(1);
    expect(await rawLines(store, 'raw/tenant_id=beta-inc/')).toHaveLength(1);
  });

  it('a new instance over the same folder flushes leftover buffers, dropping a torn last line', async () => {
    // Prepare: a crashed process accepted two records and was writing a third
    const crashed = stream();
    await crashed.putRecords([
      record('acme-corp', '2026-11-23', ['e1']),
      record('acme-corp', '2026-11-23', ['e2']),
    ]);
    const [name] = await readdir(join(dir, 'stream'));
    await appendFile(join(dir, 'stream', name ?? ''), '{"event_id":"tor');

    // Act
    await stream().start();

    // Assess
    const objects = await rawLines(store, 'raw/tenant_id=acme-corp/dt=2026-11-23/');
    expect(objects).toHaveLength(1);
    expect(objects[0]?.ids).toEqual(['e1', 'e2']);
    expect(await readdir(join(dir, 'stream'))).toEqual([]);
  });

  it('re-flushing a buffer after a crash between store and removal overwrites the same object', async () => {
    const s = stream();
    await s.putRecords([record('acme-corp', '2026-11-24', ['e1'])]);
    const [name] = await readdir(join(dir, 'stream'));
    const copy = await readFile(join(dir, 'stream', name ?? ''));
    await s.flush({ force: true });
    // Simulate the crash: the buffer file is back as if it had never been removed.
    await writeFile(join(dir, 'stream', name ?? ''), copy);

    await stream().start();

    const objects = await rawLines(store, 'raw/tenant_id=acme-corp/');
    expect(objects).toHaveLength(1);
    expect(objects[0]?.ids).toEqual(['e1']);
  });

  it('rejects what Firehose rejects: a bad partition, a record over 1,000 KiB', async () => {
    const s = stream();
    await expect(s.putRecords([record('Bad Tenant', '2026-11-24', ['e1'])])).rejects.toThrow(RangeError);
    const big: DeliveryRecord = {
      tenantId: 'acme-corp',
      dt: '2026-11-24',
      data: Buffer.alloc(1000 * 1024 + 1, 0x61),
      events: 1,
    };
    await expect(s.putRecords([big])).rejects.toThrow(/over 1024000 bytes/);
  });

  it('takes more than one PutRecordBatch worth of records in one call, as the Firehose adapter does', async () => {
    const s = stream();
    const many = Array.from({ length: 501 }, (_, i) => record('acme-corp', '2026-11-24', [`e${i}`]));
    await s.putRecords(many);
    expect((await s.flush({ force: true })).events).toBe(501);
  });
});
