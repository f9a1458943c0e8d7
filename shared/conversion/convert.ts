/**
 * convert(tenant, dt): one tenant-day from raw/ (+ its current Parquet) to fresh Parquet.
 *
 *   1. snapshot   list raw/T/D/ and parquet/T/D/ now
 *   2. stage      the engine writes merged, deduplicated, sorted Parquet to staging/RUN/T/D/
 *   3. verify     rows written > 0 and files exist
 *   4. publish    move the staged files to parquet/T/D/RUN-N.parquet      (old and new both visible)
 *   5. replace    delete the snapshot's previous Parquet files               (new files hold them)
 *   6. archive    move the snapshot's raw objects (those still there) to archive/raw/
 *   7. settle     list parquet/T/D/ again: files of another run that this one did not merge mean
 *                 a conversion of the same day ran at the same time (an intraday run beside the
 *                 nightly one); convert again, which merges both runs' files into one run's
 *                 (at most MAX_SETTLE_ROUNDS times)
 *
 * A move is the store's (ObjectStore.move): a rename locally, copy then batched delete on S3; an
 * object is at its new key before it leaves the old one, and the staging prefix is empty once
 * the files are published. At every instant, parquet/ ∪ raw/ holds every event at least once
 * (readers dedup), also half-way through a move. A crash after or inside any step leaves raw
 * objects in raw/, so the partition is pending and the next run redoes the whole conversion from
 * what is visible: the result converges. A step that finds its work already done (an object
 * already moved) skips it.
 *
 * Two conversions of one day at once (docs/nightly.md "Intraday runs", "Overlap"): callers take
 * the tenant-day's lease first (day-lease.ts, convertDay), so this happens only when a lease ran
 * out under a conversion still working; then each deletes
 * and archives only what its snapshot holds, after publishing files holding all of it, so every
 * event stays visible; both may publish, leaving two runs' files. Readers treat a day with files
 * of more than one run as contested (DuckDB) and dedup it; the later of the two to settle sees the
 * other's files and merges them, and a conversion of a day whose files come from more than one run
 * rewrites it even with nothing in raw/, so a day converges to one run's files.
 */
import { monthOf, monthPartitionPrefix, PREFIX, partitionPrefix } from '../domain/layout.js';
import type { Clock } from '../ports/clock.js';
import { systemClock } from '../ports/clock.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { ConversionEngine, PartitionSnapshot } from './engine.js';
import { ConversionVerificationError } from './errors.js';
import { isRunId, newRunId, runOfKey } from './run-id.js';

export const CONVERSION_STEPS = ['staged', 'verified', 'published', 'replaced', 'archived'] as const;

/**
 * Conversions of one day in a row when a concurrent one moved files of the snapshot (stage) or
 * published beside this one (step 7); then it is left to the next run.
 */
export const MAX_SETTLE_ROUNDS = 3;

/** The run ids of a day's current-layout files (`RUN-N.parquet`). */
export function runsOf(keys: readonly string[]): Set<string> {
  return new Set(keys.map(runOfKey));
}
export type ConversionStep = (typeof CONVERSION_STEPS)[number];

export interface ConvertDeps {
  store: ObjectStore;
  engine: ConversionEngine;
  clock?: Clock;
  /** Called after each step; tests throw here to simulate a crash. */
  afterStep?: (step: ConversionStep, snapshot: PartitionSnapshot) => void | Promise<void>;
}

export interface ConversionResult {
  tenantId: string;
  dt: string;
  runId: string;
  status: 'converted' | 'nothing-to-do';
  rawObjects: number;
  rawBytes: number;
  previousFiles: number;
  files: number;
  rows: number;
}

export function stagingPrefix(runId: string, tenantId: string, dt: string): string {
  if (!isRunId(runId)) throw new RangeError(`not a run id: ${runId}`);
  return `${PREFIX.staging}${runId}/${partitionPrefix('parquet', tenantId, dt).slice(PREFIX.parquet.length)}`;
}

export function archiveKeyOf(rawKey: string): string {
  if (!rawKey.startsWith(PREFIX.raw)) throw new RangeError(`not a raw key: ${rawKey}`);
  return `${PREFIX.archiveRaw}${rawKey.slice(PREFIX.raw.length)}`;
}

async function listKeys(store: ObjectStore, prefix: string) {
  const out: { key: string; size: number; lastModified: Date }[] = [];
  for await (const info of store.list(prefix)) out.push(info);
  return out;
}

/** True when an object of the snapshot is gone (moved by a concurrent conversion of the day). */
async function snapshotChanged(store: ObjectStore, snapshot: PartitionSnapshot): Promise<boolean> {
  const prefixes = new Set(
    [...snapshot.rawKeys, ...snapshot.parquetKeys].map((k) => k.slice(0, k.lastIndexOf('/') + 1)),
  );
  const present = new Set<string>();
  for (const prefix of prefixes) for (const o of await listKeys(store, prefix)) present.add(o.key);
  return [...snapshot.rawKeys, ...snapshot.parquetKeys].some((k) => !present.has(k));
}

/**
 * Moves the snapshot's raw objects still in raw/ to archive/raw/. A concurrent conversion of the
 * same day may move some of them between the listing and the move (the move then fails on a
 * missing source): list again and move what is left, a few times.
 */
async function archiveRaw(store: ObjectStore, rawPrefix: string, rawKeys: readonly string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const stillRaw = new Set((await listKeys(store, rawPrefix)).map((o) => o.key));
    const moves = rawKeys.filter((k) => stillRaw.has(k)).map((from) => ({ from, to: archiveKeyOf(from) }));
    if (moves.length === 0) return;
    try {
      await store.move(moves);
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

export interface ConvertTarget {
  tenantId: string;
  dt: string;
  runId?: string;
  /**
   * Rewrite the day's Parquet even with nothing in raw/ (a layout migration: files of the
   * previous layout come out in the current one). Same steps, same guarantees.
   */
  rewrite?: boolean;
  /** Internal: how many conversions of this day this call already follows (a stale snapshot, step 7). */
  settleRound?: number;
}

export async function convertPartition(deps: ConvertDeps, target: ConvertTarget): Promise<ConversionResult> {
  const { store, engine } = deps;
  const clock = deps.clock ?? systemClock;
  const runId = target.runId ?? newRunId(clock);
  const { tenantId, dt } = target;
  const rawPrefix = partitionPrefix('raw', tenantId, dt);
  const parquetPrefix = partitionPrefix('parquet', tenantId, dt);

  // 1. snapshot
  const raw = await listKeys(store, rawPrefix);
  // Both layouts: files of the previous layout (parquet/, text ts) are merged and rewritten
  // into parquet-v2/ whenever the day converts, and a day holding any is always rewritten.
  const legacy = (await listKeys(store, partitionPrefix('parquetV1', tenantId, dt))).filter((o) =>
    o.key.endsWith('.parquet'),
  );
  const parquet = [
    ...(await listKeys(store, parquetPrefix)).filter((o) => o.key.endsWith('.parquet')),
    ...legacy,
  ];
  const base = { tenantId, dt, runId, rawObjects: raw.length, previousFiles: parquet.length };
  const rawBytes = raw.reduce((sum, o) => sum + o.size, 0);
  // Files of two runs (two conversions at once, or a crashed promotion): rewritten into one.
  const twoRuns = runsOf(parquet.map((o) => o.key)).size > 1;
  if (raw.length === 0 && legacy.length === 0 && !twoRuns && !(target.rewrite && parquet.length > 0)) {
    return { ...base, status: 'nothing-to-do', rawBytes: 0, files: parquet.length, rows: 0 };
  }
  const snapshotTime =
    raw.length === 0
      ? new Date(0).toISOString()
      : new Date(Math.max(...raw.map((o) => o.lastModified.getTime()))).toISOString();
  // A day of a compacted month: its rows in the month file are merged too (never deleted here).
  const month = (await listKeys(store, monthPartitionPrefix(tenantId, monthOf(dt)))).filter((o) =>
    o.key.endsWith('.parquet'),
  );
  const snapshot: PartitionSnapshot = {
    tenantId,
    dt,
    runId,
    rawKeys: raw.map((o) => o.key),
    parquetKeys: parquet.map((o) => o.key),
    ...(month.length > 0 ? { monthKeys: month.map((o) => o.key) } : {}),
    snapshotTime,
    stagingPrefix: stagingPrefix(runId, tenantId, dt),
  };
  const step = async (name: ConversionStep) => {
    if (deps.afterStep) await deps.afterStep(name, snapshot);
  };

  // 2. stage (a concurrent conversion of the day may have replaced or archived files of this
  // snapshot meanwhile: then start again from what is visible now)
  const round = target.settleRound ?? 0;
  let staged: Awaited<ReturnType<ConversionEngine['materialize']>>;
  try {
    staged = await engine.materialize(snapshot);
  } catch (error) {
    if (round < MAX_SETTLE_ROUNDS && (await snapshotChanged(store, snapshot))) {
      return convertPartition(deps, { tenantId, dt, settleRound: round + 1 });
    }
    throw error;
  }
  await step('staged');

  // 3. verify
  const stagedKeys = staged.keys.filter((k) => k.startsWith(snapshot.stagingPrefix)).sort();
  if (stagedKeys.length === 0 || staged.rows <= 0) {
    throw new ConversionVerificationError(
      `${engine.name} staged ${staged.rows} rows in ${stagedKeys.length} files for ${tenantId}/${dt}`,
    );
  }
  await step('verified');

  // 4. publish: new files become visible next to the old ones (readers dedup the overlap)
  const publish = stagedKeys.map((from, n) => ({ from, to: `${parquetPrefix}${runId}-${n}.parquet` }));
  await store.move(publish);
  const published = publish.map((m) => m.to);
  await step('published');

  // 5. replace: drop what the new files superseded
  const previous = snapshot.parquetKeys.filter((k) => !published.includes(k));
  await store.delete(previous);
  await step('replaced');

  // 6. archive: only the snapshot's raw objects, and only those still there (a crashed run may have moved some)
  await archiveRaw(store, rawPrefix, snapshot.rawKeys);
  await step('archived');

  const result: ConversionResult = {
    ...base,
    status: 'converted',
    rawBytes,
    previousFiles: previous.length,
    files: published.length,
    rows: staged.rows,
  };

  // 7. settle: another conversion of this day published meanwhile (its files are not ours and
  // were not in our snapshot): merge them now rather than leave the day with two runs' files.
  const mine = new Set([...published, ...snapshot.parquetKeys]);
  const others = (await listKeys(store, parquetPrefix)).filter(
    (o) => o.key.endsWith('.parquet') && !mine.has(o.key),
  );
  if (others.length === 0 || round >= MAX_SETTLE_ROUNDS) return result;
  const again = await convertPartition(deps, { tenantId, dt, settleRound: round + 1 });
  return again.status === 'converted'
    ? {
        ...result,
        files: again.files,
        rows: again.rows,
        previousFiles: result.previousFiles + again.previousFiles,
      }
    : result;
}
