/**
 * compactMonth(tenant, month): a small tenant's closed days into one Parquet file per month.
 *
 *   1. snapshot  list the absorbed days' files (parquet-v2/T/dt=D/) and the month's files
 *   2. stage     the engine writes the merged, deduplicated, ts-sorted month to staging/RUN/T/month=M/
 *   3. verify    rows written > 0 and files exist
 *   4. publish   copy the staged files to parquet-v2-month/T/month=M/RUN-N.parquet (old and new visible)
 *   5. replace   delete the snapshot's previous month files
 *   6. absorb    delete the snapshot's day files (the month file holds their rows)
 *   7. clean     delete staging/RUN/T/month=M/
 *
 * Readers (docs/nightly.md "Compaction") treat a day as contested while its rows may exist twice:
 * a day folder beside a month file, or a month folder holding files of two runs. So at every
 * instant every event is visible at least once and deduplicated: a crash after any step leaves a
 * state the next night's plan compacts again, converging.
 */

import { ConversionVerificationError } from '../conversion/errors.js';
import { isRunId, newRunId, runOfKey } from '../conversion/run-id.js';
import { monthPartitionPrefix, PREFIX, partitionPrefix } from '../domain/layout.js';
import type { Clock } from '../ports/clock.js';
import { systemClock } from '../ports/clock.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { CompactionEngine, MonthSnapshot } from './engine.js';

export const COMPACTION_STEPS = [
  'staged',
  'verified',
  'published',
  'replaced',
  'absorbed',
  'cleaned',
] as const;
export type CompactionStep = (typeof COMPACTION_STEPS)[number];

export interface CompactDeps {
  store: ObjectStore;
  engine: CompactionEngine;
  clock?: Clock;
  /** Called after each step; tests throw here to simulate a crash. */
  afterStep?: (step: CompactionStep, snapshot: MonthSnapshot) => void | Promise<void>;
}

export interface CompactionResult {
  tenantId: string;
  month: string;
  runId: string;
  status: 'compacted' | 'nothing-to-do';
  /** Days absorbed (their folders deleted). */
  days: number;
  dayFiles: number;
  previousMonthFiles: number;
  files: number;
  rows: number;
  bytesBefore: number;
}

export function monthStagingPrefix(runId: string, tenantId: string, month: string): string {
  if (!isRunId(runId)) throw new RangeError(`not a run id: ${runId}`);
  return `${PREFIX.staging}${runId}/${monthPartitionPrefix(tenantId, month).slice(PREFIX.parquetMonth.length)}`;
}

async function parquetFiles(store: ObjectStore, prefix: string) {
  const out: { key: string; size: number }[] = [];
  for await (const o of store.list(prefix)) if (o.key.endsWith('.parquet')) out.push(o);
  return out;
}

export interface CompactTarget {
  tenantId: string;
  month: string;
  /** The days to absorb (chosen by planCompaction: closed, no raw objects, no previous layout). */
  days: readonly string[];
  runId?: string;
}

export async function compactMonth(deps: CompactDeps, target: CompactTarget): Promise<CompactionResult> {
  const { store, engine } = deps;
  const runId = target.runId ?? newRunId(deps.clock ?? systemClock);
  const { tenantId, month } = target;
  const monthPrefix = monthPartitionPrefix(tenantId, month);

  // 1. snapshot
  const days: string[] = [];
  const dayFiles: { key: string; size: number }[] = [];
  for (const dt of [...target.days].sort()) {
    if (!dt.startsWith(`${month}-`)) throw new RangeError(`${dt} is not in ${month}`);
    const files = await parquetFiles(store, partitionPrefix('parquet', tenantId, dt));
    if (files.length === 0) continue;
    days.push(dt);
    dayFiles.push(...files);
  }
  const monthFiles = await parquetFiles(store, monthPrefix);
  const monthRuns = new Set(monthFiles.map((o) => runOfKey(o.key)));
  const base = {
    tenantId,
    month,
    runId,
    days: days.length,
    dayFiles: dayFiles.length,
    previousMonthFiles: monthFiles.length,
    bytesBefore: [...dayFiles, ...monthFiles].reduce((sum, o) => sum + o.size, 0),
  };
  // Nothing to absorb and one run's month files: already compacted.
  if (days.length === 0 && monthRuns.size <= 1) {
    return { ...base, status: 'nothing-to-do', files: monthFiles.length, rows: 0 };
  }
  const snapshot: MonthSnapshot = {
    tenantId,
    month,
    runId,
    days,
    dayKeys: dayFiles.map((o) => o.key),
    monthKeys: monthFiles.map((o) => o.key),
    stagingPrefix: monthStagingPrefix(runId, tenantId, month),
  };
  const step = async (name: CompactionStep) => {
    if (deps.afterStep) await deps.afterStep(name, snapshot);
  };

  // 2. stage
  const staged = await engine.materializeMonth(snapshot);
  await step('staged');

  // 3. verify
  const stagedKeys = staged.keys.filter((k) => k.startsWith(snapshot.stagingPrefix)).sort();
  if (stagedKeys.length === 0 || staged.rows <= 0) {
    throw new ConversionVerificationError(
      `${engine.name} staged ${staged.rows} rows in ${stagedKeys.length} files for ${tenantId}/${month}`,
    );
  }
  await step('verified');

  // 4. publish: the new month file beside the old one and the day folders (readers dedup)
  const published: string[] = [];
  for (const [n, key] of stagedKeys.entries()) {
    const to = `${monthPrefix}${runId}-${n}.parquet`;
    await store.copy(key, to);
    published.push(to);
  }
  await step('published');

  // 5. replace: the previous month files
  await store.delete(snapshot.monthKeys.filter((k) => !published.includes(k)));
  await step('replaced');

  // 6. absorb: the day files the month file now holds (only the snapshot's: a file published
  //    into a day folder since stays, and keeps that day contested until the next compaction)
  await store.delete(snapshot.dayKeys);
  await step('absorbed');

  // 7. clean
  await store.delete(stagedKeys);
  await step('cleaned');

  return { ...base, status: 'compacted', files: published.length, rows: staged.rows };
}

export { runOfKey };
