import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { listAll, parquetColumnTypes, readParquetRows, storedIds } from '../../test/fixtures/lake-reader.js';
import {
  encodeLines,
  makeEvent,
  type RawLake,
  rng,
  writeLateEvents,
  writeRawLake,
} from '../../test/fixtures/raw-lake.js';
import { DuckDbConversionEngine } from '../adapters/local/duckdb-conversion-engine.js';
import { FileObjectStore } from '../adapters/local/file-object-store.js';
import { partitionPrefix } from '../domain/layout.js';
import type { ObjectMove, ObjectStore } from '../ports/object-store.js';
import { CONVERSION_STEPS, type ConversionStep, convertPartition } from './convert.js';

const dirs: string[] = [];
let store: FileObjectStore;
let engine: DuckDbConversionEngine;
let lake: RawLake;
const T = 'tenant-000';
const D = '2026-11-23';

class SimulatedCrash extends Error {}

function sortedIds(rows: { device_id: string; event_id: string }[]): string[] {
  return rows.map((r) => `${r.device_id}/${r.event_id}`).sort();
}

async function assertConverted(tenantId: string, dt: string) {
  const rows = await readParquetRows(store, partitionPrefix('parquet', tenantId, dt));
  const expected = lake.expected.get(tenantId)?.get(dt);
  expect(expected).toBeDefined();
  expect(sortedIds(rows)).toEqual([...(expected?.keys() ?? [])].sort());
  for (const row of rows) {
    const want = expected?.get(`${row.device_id}/${row.event_id}`);
    expect(row.batch_id).toBe(want?.batch_id);
    expect(row.received_at).toBe(want?.received_at);
    expect(row.title).toBe(want?.title);
    expect(row.tenant_id).toBe(tenantId);
    expect(row.dt).toBe(dt);
  }
  const ts = rows.map((r) => r.ts);
  expect(ts).toEqual([...ts].sort());
  // Ids derived from the position are stored as the position only; the others as they came.
  const ids = await storedIds(store, partitionPrefix('parquet', tenantId, dt));
  const positional = [...(expected?.values() ?? [])].filter((e) => e.event_pos !== null).length;
  expect(ids).toEqual({ stored: rows.length - positional, positional });
  expect(positional).toBeGreaterThan(0);
  // The layout: ts and received_at as timestamp(ms), not text.
  for (const column of ['ts', 'received_at']) {
    for (const t of await parquetColumnTypes(store, partitionPrefix('parquet', tenantId, dt), column)) {
      expect(t.type).toBe('INT64');
      expect(t.logical).toMatch(/TimestampType.*MILLIS=MilliSeconds/);
    }
  }
  expect(await listAll(store, partitionPrefix('raw', tenantId, dt))).toEqual([]);
}

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oplake-convert-'));
  dirs.push(dir);
  store = new FileObjectStore(dir);
  engine = new DuckDbConversionEngine(store, { memoryLimit: '256MB', threads: 1 });
  lake = await writeRawLake(store, { tenants: 1, days: 1, lastDay: D, eventsPerTenantDay: 300 });
});

afterAll(async () => {
  await engine.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('convertPartition (duckdb)', () => {
  it('converts a tenant-day: every event once, first copy wins, sorted by ts, raw archived', async () => {
    const result = await convertPartition({ store, engine }, { tenantId: T, dt: D });

    expect(result.status).toBe('converted');
    expect(result.rows).toBe(lake.expected.get(T)?.get(D)?.size);
    await assertConverted(T, D);
    expect((await listAll(store, partitionPrefix('archiveRaw', T, D))).length).toBe(result.rawObjects);
    expect(await listAll(store, 'staging/')).toEqual([]);
  });

  it('merges late events with what is already converted', async () => {
    await convertPartition({ store, engine }, { tenantId: T, dt: D });
    await writeLateEvents(store, lake, T, D, 25, 'x');

    const second = await convertPartition({ store, engine }, { tenantId: T, dt: D });

    expect(second.previousFiles).toBe(1);
    expect(second.files).toBe(1);
    await assertConverted(T, D);
    expect((await listAll(store, partitionPrefix('parquet', T, D))).length).toBe(1);
  });

  it('keeps the id of a raw line whose position does not derive it (the id is never lost)', async () => {
    // Prepare: a line claiming a position that does not give its id (not what ingest writes).
    const odd = { ...makeEvent(rng(7), T, D, 'agent-sent-id', 'b-odd', `${D}T12:00:00.000Z`), event_pos: 3 };
    await store.put(`${partitionPrefix('raw', T, D)}odd.json.gz`, encodeLines([odd]));
    lake.expected
      .get(T)
      ?.get(D)
      ?.set(`${odd.device_id}/${odd.event_id}`, { ...odd, event_pos: null });
    // Act
    await convertPartition({ store, engine }, { tenantId: T, dt: D });
    // Assess
    const rows = await readParquetRows(store, partitionPrefix('parquet', T, D));
    expect(rows.find((r) => r.event_id === 'agent-sent-id')?.event_pos).toBeNull();
    await assertConverted(T, D);
  });

  it('converts raw lines written before event_pos (no such key) as before', async () => {
    // Prepare: a late object in the old form, every id in the line.
    const old = makeEvent(rng(11), T, D, 'before-positions', 'b-old', `${D}T13:00:00.000Z`);
    const { event_pos: _, ...line } = old;
    await store.put(`${partitionPrefix('raw', T, D)}old.json.gz`, gzipSync(`${JSON.stringify(line)}\n`));
    lake.expected.get(T)?.get(D)?.set(`${old.device_id}/${old.event_id}`, old);
    // Act
    await convertPartition({ store, engine }, { tenantId: T, dt: D });
    // Assess
    const rows = await readParquetRows(store, partitionPrefix('parquet', T, D));
    expect(rows.find((r) => r.event_id === 'before-positions')?.title).toBe(old.title);
    await assertConverted(T, D);
  });

  it('does nothing when raw/ holds nothing for the partition', async () => {
    await convertPartition({ store, engine }, { tenantId: T, dt: D });
    const before = await listAll(store, '');

    const again = await convertPartition({ store, engine }, { tenantId: T, dt: D });

    expect(again.status).toBe('nothing-to-do');
    expect(await listAll(store, '')).toEqual(before);
  });

  for (const crashAt of CONVERSION_STEPS) {
    it(`converges after a crash right after "${crashAt}"`, async () => {
      await writeLateEvents(store, lake, T, D, 10, 'y');
      const crash = (step: ConversionStep) => {
        if (step === crashAt) throw new SimulatedCrash(step);
      };
      await expect(
        convertPartition({ store, engine, afterStep: crash }, { tenantId: T, dt: D }),
      ).rejects.toThrow(SimulatedCrash);

      const rerun = await convertPartition({ store, engine }, { tenantId: T, dt: D });

      if (crashAt === 'archived') expect(rerun.status).toBe('nothing-to-do');
      await assertConverted(T, D);
      expect((await listAll(store, partitionPrefix('parquet', T, D))).length).toBe(1);
    });
  }

  // A move is one step but many objects: a crash half-way leaves some moved, some not.
  for (const inside of ['publish', 'archive'] as const) {
    it(`converges after a crash half-way through the ${inside} move`, async () => {
      // Small files: several staged files to publish (and six raw objects to archive).
      const many = new DuckDbConversionEngine(store, {
        memoryLimit: '256MB',
        threads: 1,
        rowGroupSize: 64,
        fileSizeBytes: 1,
      });
      await writeLateEvents(store, lake, T, D, 10, 'z');
      const from = inside === 'publish' ? 'staging/' : 'raw/';
      let moved = 0;
      const crashing: ObjectStore = Object.assign(Object.create(store) as FileObjectStore, {
        move: async (moves: readonly ObjectMove[]) => {
          if (!moves[0]?.from.startsWith(from)) return store.move(moves);
          expect(moves.length).toBeGreaterThan(1);
          moved = Math.floor(moves.length / 2);
          await store.move(moves.slice(0, moved));
          throw new SimulatedCrash(`${inside} after ${moved} of ${moves.length}`);
        },
      });
      try {
        await expect(
          convertPartition({ store: crashing, engine: many }, { tenantId: T, dt: D }),
        ).rejects.toThrow(SimulatedCrash);
        expect(moved).toBeGreaterThan(0);

        const rerun = await convertPartition({ store, engine: many }, { tenantId: T, dt: D });

        expect(rerun.status).toBe('converted');
        await assertConverted(T, D);
        // What the crashed run left unpublished stays under its own staging prefix (invisible,
        // swept by retention after 24 h); the rerun's own staging is empty.
        const left = await listAll(store, 'staging/');
        if (inside === 'archive') expect(left).toEqual([]);
        else expect(new Set(left.map((k) => k.split('/')[1])).size).toBe(1);
        expect(left.every((k) => !k.includes(rerun.runId))).toBe(true);
      } finally {
        await many.close();
      }
    });
  }
});
