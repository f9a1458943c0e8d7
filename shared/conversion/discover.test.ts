/**
 * Discover's run modes on real files: the intraday selection (only the two hot days, only those
 * over the size threshold, no layout migration, LIST calls counted), and the nightly backstop for
 * hot days left with two runs' files by overlapping conversions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FileObjectStore } from '../adapters/local/file-object-store.js';
import { partitionPrefix } from '../domain/layout.js';
import type { ObjectInfo, ObjectStore } from '../ports/object-store.js';
import { dayBefore, discoverTargets } from './discover.js';

const DATE = '2026-11-24';
let dir: string;
let files: FileObjectStore;

/** The file store, counting the LIST calls made through it (list and listPrefixes). */
class CountingStore implements ObjectStore {
  lists = 0;
  constructor(private readonly inner: ObjectStore) {}
  put: ObjectStore['put'] = (k, b, o) => this.inner.put(k, b, o);
  get: ObjectStore['get'] = (k) => this.inner.get(k);
  copy: ObjectStore['copy'] = (a, b) => this.inner.copy(a, b);
  delete: ObjectStore['delete'] = (k) => this.inner.delete(k);
  move: ObjectStore['move'] = (m) => this.inner.move(m);
  list(prefix: string): AsyncIterable<ObjectInfo> {
    this.lists++;
    return this.inner.list(prefix);
  }
  listPrefixes(prefix: string): Promise<string[]> {
    this.lists++;
    return this.inner.listPrefixes(prefix);
  }
}

async function raw(tenantId: string, dt: string, name: string, bytes: number) {
  await files.put(`${partitionPrefix('raw', tenantId, dt)}${name}.json.gz`, 'x'.repeat(bytes));
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oplake-discover-'));
  files = new FileObjectStore(dir);
  await raw('big', DATE, 'a', 600);
  await raw('big', DATE, 'b', 600);
  await raw('big', '2026-11-23', 'c', 1500);
  await raw('big', '2026-11-20', 'late', 5000); // an old late arrival: the night's
  await raw('big', '2026-11-25', 'future', 5000); // after the run's date
  await raw('small', DATE, 'a', 100);
  await raw('mid', '2026-11-23', 'a', 1000);
  await files.put(`${partitionPrefix('parquetV1', 'old', '2026-10-01')}r-0.parquet`, 'p');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('discoverTargets, intraday mode', () => {
  it('takes only the two hot days whose raw bytes reach the threshold; no migration; counts its LISTs', async () => {
    const store = new CountingStore(files);

    const found = await discoverTargets(store, DATE, { mode: 'intraday', minRawBytes: 1000 });

    expect(found.items).toEqual([
      { tenantId: 'big', dates: ['2026-11-23', DATE] },
      { tenantId: 'mid', dates: ['2026-11-23'] },
    ]);
    expect(found.targets).toBe(3);
    expect(found.legacyDays).toBe(0);
    // One flat listing of raw/ (1,000 keys a LIST): 9 objects, one LIST; nothing else listed.
    expect(found.listCalls).toBe(1);
    expect(store.lists).toBe(1);
  });

  it('with no threshold takes every hot day with bytes pending, and a higher one takes fewer', async () => {
    const all = await discoverTargets(files, DATE, { mode: 'intraday' });
    const high = await discoverTargets(files, DATE, { mode: 'intraday', minRawBytes: 1201 });

    expect(all.items).toEqual([
      { tenantId: 'big', dates: ['2026-11-23', DATE] },
      { tenantId: 'mid', dates: ['2026-11-23'] },
      { tenantId: 'small', dates: [DATE] },
    ]);
    expect(high.items).toEqual([{ tenantId: 'big', dates: ['2026-11-23'] }]);
  });

  it('the nightly mode on the same lake takes every pending day and the migration, and counts its LISTs', async () => {
    const store = new CountingStore(files);

    const found = await discoverTargets(store, DATE, { minRawBytes: 1_000_000 });

    expect(found.items).toEqual([
      { tenantId: 'big', dates: ['2026-11-20', '2026-11-23', DATE] },
      { tenantId: 'mid', dates: ['2026-11-23'] },
      { tenantId: 'old', dates: ['2026-10-01'] },
      { tenantId: 'small', dates: [DATE] },
    ]);
    expect(found.legacyDays).toBe(1);
    expect(store.lists).toBe(found.listCalls);
  });
});

describe('discoverTargets, the nightly backstop for overlapping conversions', () => {
  it('targets a hot day whose Parquet comes from two runs, with nothing in raw/; not one run, not an old day', async () => {
    const put = (t: string, dt: string, name: string) =>
      files.put(`${partitionPrefix('parquet', t, dt)}${name}`, 'p');
    await put('twice', DATE, '20261124T010000000Z-aaaa0000-0.parquet');
    await put('twice', DATE, '20261124T010000500Z-bbbb0000-0.parquet');
    await put('twice', dayBefore(DATE), '20261123T010000000Z-aaaa0000-0.parquet');
    await put('once', DATE, '20261124T010000000Z-aaaa0000-0.parquet');
    await put('once', DATE, '20261124T010000000Z-aaaa0000-1.parquet');
    await put('oldtwice', '2026-11-01', '20261101T010000000Z-aaaa0000-0.parquet');
    await put('oldtwice', '2026-11-01', '20261101T010000000Z-bbbb0000-0.parquet');
    const store = new CountingStore(files);

    const nightly = await discoverTargets(store, DATE);
    const intraday = await discoverTargets(files, DATE, { mode: 'intraday' });

    expect(nightly.items).toContainEqual({ tenantId: 'twice', dates: [DATE] });
    expect(nightly.items.map((i) => i.tenantId)).not.toContain('once');
    expect(nightly.items.map((i) => i.tenantId)).not.toContain('oldtwice');
    expect(store.lists).toBe(nightly.listCalls);
    // Intraday runs do not look (the night is the backstop; convert.ts merges at once).
    expect(intraday.items.map((i) => i.tenantId)).not.toContain('twice');
  });
});

describe('dayBefore', () => {
  it('crosses months and years', () => {
    expect(dayBefore('2026-03-01')).toBe('2026-02-28');
    expect(dayBefore('2027-01-01')).toBe('2026-12-31');
  });
});
