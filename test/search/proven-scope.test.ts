/**
 * The local engine leaves out the per-row tenant and day predicates only where the Parquet
 * statistics prove them (parquet-facts.ts `provenScope`): every row group's `tenant_id` is the
 * tenant's and its `dt` within the query's days. A file whose statistics say otherwise (another
 * tenant's rows planted in the tenant's folder, or a file spanning days out of range) keeps the
 * predicates, and its foreign rows never come back.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { aggregateEvents, type SearchBody, searchEvents } from '../../functions/search/core.js';
import { partitionPrefix } from '../../shared/domain/layout.js';
import { parseSearchRequest } from '../../shared/query/request.js';
import { makeEvent, rng } from '../fixtures/raw-lake.js';
import { type PlacedEvent, writeLake } from '../fixtures/search-lake.js';
import { localDeps, tempLake } from './helpers.js';

const T = 'acme-corp';
const DAYS = ['2026-11-20', '2026-11-21'];
const RANGE = { from: '2026-11-20T00:00:00Z', to: '2026-11-22T00:00:00Z' };
const random = rng(5);

const events = (tenant: string, dt: string, n: number): PlacedEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    area: 'parquet' as const,
    event: makeEvent(random, tenant, dt, `${tenant}-${dt}-${i}`, 'b-1', `${dt}T23:59:00.000Z`),
  }));

describe('per-row tenant and day predicates, left out only where the statistics prove them', () => {
  let lake: { root: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    lake = await tempLake();
    await writeLake(
      lake.root,
      DAYS.flatMap((dt) => events(T, dt, 20)),
    );
  });
  afterEach(async () => {
    await lake.cleanup();
  });

  /** Moves the Parquet of `from`'s folder into `to`'s (a file the conversion would never write). */
  async function plant(fromTenant: string, fromDay: string, toDay: string) {
    const from = join(lake.root, partitionPrefix('parquet', fromTenant, fromDay));
    const to = join(lake.root, partitionPrefix('parquet', T, toDay));
    await mkdir(to, { recursive: true });
    for (const name of await readdir(from)) await rename(join(from, name), join(to, `planted-${name}`));
  }

  async function answer() {
    const deps = localDeps(lake.root);
    try {
      const files = await deps.engine.selectFiles(T, parseSearchRequest(RANGE).query);
      const page = (await searchEvents(T, { ...RANGE, limit: 1000 }, deps)).body as SearchBody;
      const byDay = (await aggregateEvents(T, { ...RANGE, groupBy: 'day' }, deps)).body as {
        rows: unknown[];
      };
      return { files, ids: page.events.map((e) => e.eventId), byDay: byDay.rows };
    } finally {
      await deps.engine.close();
    }
  }

  it('proves the scope of files the conversion wrote', async () => {
    const { files, ids } = await answer();
    expect(files.clean).toHaveLength(2);
    expect(files.scoped).toEqual({ clean: true, contested: true });
    expect(ids).toHaveLength(40);
  });

  it("keeps the predicates for another tenant's rows in the tenant's folder: none of them answer", async () => {
    await writeLake(lake.root, events('evil-corp', DAYS[0] ?? '', 5));
    await plant('evil-corp', DAYS[0] ?? '', DAYS[1] ?? '');
    const { files, ids, byDay } = await answer();
    // The planted file sits beside another run's file: that day is contested (a promotion under
    // way, to the engine), and its predicates stay.
    expect([files.clean.length, files.contested.length]).toEqual([1, 2]);
    expect(files.scoped).toEqual({ clean: true, contested: false });
    expect(ids).toHaveLength(40);
    expect(ids.some((id) => id.startsWith('evil-corp'))).toBe(false);
    expect(byDay).toEqual([
      { key: DAYS[0], count: 20, durationMs: expect.any(Number) },
      { key: DAYS[1], count: 20, durationMs: expect.any(Number) },
    ]);
    // Alone in its folder, the planted file is clean, and the clean side keeps its predicates.
    const folder = join(lake.root, partitionPrefix('parquet', T, DAYS[1]));
    for (const name of await readdir(folder)) if (!name.startsWith('planted-')) await rm(join(folder, name));
    const alone = await answer();
    expect([alone.files.clean.length, alone.files.contested.length]).toEqual([2, 0]);
    expect(alone.files.scoped).toEqual({ clean: false, contested: true });
    expect(alone.ids).toHaveLength(20);
    expect(alone.ids.some((id) => id.startsWith('evil-corp'))).toBe(false);
  });

  it('keeps them for a file whose days reach outside the range', async () => {
    await writeLake(lake.root, events(T, '2026-11-25', 5));
    await plant(T, '2026-11-25', DAYS[1] ?? '');
    const { files, ids } = await answer();
    expect(files.scoped).toEqual({ clean: true, contested: false });
    expect(ids).toHaveLength(40);
  });
});
