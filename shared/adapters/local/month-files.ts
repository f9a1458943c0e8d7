/**
 * Month files (`parquet-v2-month/tenant_id=T/month=M/`, shared/compaction) in the local search
 * engine's file selection. Per day, the rows are either in the day folder or in the month file;
 * a day is contested (its rows may exist twice) when it has raw objects, files of the previous
 * layout, or a day folder beside its month's file (a re-opened day converted again, or a
 * compaction cut short before it deleted the folder), and every day of a month whose folder holds
 * files of more than one run (a promotion cut short before the old file was deleted). A month
 * file whose days in range are all clean is read as clean (filters, columns, top-N pushed); a
 * month with contested days is read in two parts: its rows of those days with the contested
 * rows, the others as clean.
 */

import { runOfKey } from '../../compaction/compact.js';
import { monthPartitionPrefix } from '../../domain/layout.js';
import type { ObjectStore } from '../../ports/object-store.js';
import type { SqlFragment } from '../../query/sql.js';
import type { LakeFile } from './parquet-facts.js';

export interface MonthFolder {
  month: string;
  files: LakeFile[];
  /** Files of more than one run: a promotion cut short, every day of the month contested. */
  multiRun: boolean;
}

const monthOfFolder = (folder: string): string | undefined => /month=(\d{4}-\d{2})\/$/.exec(folder)?.[1];

/** The tenant's month folders that meet days [first, last], with their files. */
export async function listMonthFolders(
  store: ObjectStore & { pathOf(key: string): string },
  tenantId: string,
  first: string,
  last: string,
): Promise<MonthFolder[]> {
  const out: MonthFolder[] = [];
  for (const folder of await store.listPrefixes(monthPartitionPrefix(tenantId))) {
    const month = monthOfFolder(folder);
    if (month === undefined || month < first.slice(0, 7) || month > last.slice(0, 7)) continue;
    const files: LakeFile[] = [];
    const runs = new Set<string>();
    for await (const object of store.list(folder)) {
      if (!object.key.endsWith('.parquet') || object.size === 0) continue;
      files.push({
        path: store.pathOf(object.key),
        size: object.size,
        mtimeMs: object.lastModified.getTime(),
      });
      runs.add(runOfKey(object.key));
    }
    if (files.length > 0) out.push({ month, files, multiRun: runs.size > 1 });
  }
  return out;
}

/** Every day of [first, last] that lies in `month`. */
export function daysOfMonthInRange(month: string, first: string, last: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${month}-01T00:00:00Z`); ; t += 86_400_000) {
    const dt = new Date(t).toISOString().slice(0, 10);
    if (!dt.startsWith(month)) break;
    if (dt >= first && dt <= last) out.push(dt);
  }
  return out;
}

/** How a month folder is read: whole clean, whole contested, or split by its contested days. */
export function monthReading(
  folder: MonthFolder,
  first: string,
  last: string,
  contestedDay: (dt: string) => boolean,
): { kind: 'clean' | 'contested' } | { kind: 'split'; days: string[] } {
  if (folder.multiRun) return { kind: 'contested' };
  const days = daysOfMonthInRange(folder.month, first, last).filter(contestedDay);
  return days.length === 0 ? { kind: 'clean' } : { kind: 'split', days };
}

/** Sort key of a clean file by time: its day (`dt=`) or its month (`month=`, before its days). */
export function timeKeyOf(path: string): string {
  const day = /dt=(\d{4}-\d{2}-\d{2})\//.exec(path)?.[1];
  if (day) return `${day}|${path}`;
  const month = /month=(\d{4}-\d{2})\//.exec(path)?.[1];
  return `${month ?? ''}-00|${path}`;
}

/** Orders clean files by time (day and month files interleaved), for the top-N's sake. */
export const byTime = (a: string, b: string): number => {
  const [x, y] = [timeKeyOf(a), timeKeyOf(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * The month files as the engine's Parquet list: clean ones whole, a month with a promotion cut
 * short whole contested, others split (`splitDays` gets their contested days).
 */
export function monthFileReadings(
  months: readonly MonthFolder[],
  first: string,
  last: string,
  contestedDay: (dt: string) => boolean,
  splitDays: string[],
): { file: LakeFile; contested: boolean; split: boolean }[] {
  const out: { file: LakeFile; contested: boolean; split: boolean }[] = [];
  for (const folder of months) {
    const reading = monthReading(folder, first, last, contestedDay);
    if (reading.kind === 'split') splitDays.push(...reading.days);
    for (const file of folder.files) {
      out.push({ file, contested: reading.kind !== 'clean', split: reading.kind === 'split' });
    }
  }
  return out;
}

/**
 * A source (whole files, or none) plus the split month files' rows (`split`: their files as read,
 * shared/adapters/local/duckdb-sources.ts) of the contested days (`part` contested) or of the
 * other days (`part` clean).
 */
export function withMonthRows(
  whole: SqlFragment | null,
  split: SqlFragment | null,
  days: readonly string[],
  part: 'contested' | 'clean',
): SqlFragment | null {
  if (split === null) return whole;
  const rows = {
    sql: `SELECT * FROM ${split.sql} WHERE ${part === 'clean' ? 'NOT ' : ''}list_contains(?::VARCHAR[], dt)`,
    params: [...split.params, days],
  };
  if (whole === null) return { sql: `(${rows.sql}) AS ${part}_rows`, params: rows.params };
  return {
    sql: `(SELECT * FROM ${whole.sql} UNION ALL BY NAME ${rows.sql}) AS ${part}_rows`,
    params: [...whole.params, ...rows.params],
  };
}
