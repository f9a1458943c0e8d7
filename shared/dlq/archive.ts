/**
 * The dead-letter archive: what the sweeper keeps for investigation, as JSON lines (one record a
 * line) under `archive/dlq/<source>/dt=<UTC day archived>/<runId>-<page>.jsonl`. DuckDB
 * (`read_json_auto`) and Athena read it as they read raw/; `oplake dlq list|show` reads it here.
 * A line is written before its message leaves the DLQ, so a crash in between gives the same
 * message twice in the archive (same `id`), never a loss.
 */
import { PREFIX } from '../domain/layout.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { FailureClass } from './classify.js';

export type ArchiveReason = 'permanent' | 'redrive_limit' | 'reingest_failed' | 'unreadable';

export interface ArchivedRecord {
  source: string;
  /** Message id (SQS) or `<object key>#<line>` (Firehose error records). */
  id: string;
  archivedAt: string;
  class: FailureClass;
  reason: ArchiveReason;
  errorClass: string;
  message: string;
  attempts: number;
  firstFailureAt: string | null;
  lastFailureAt: string | null;
  redrives: number;
  sentAt: string | null;
  groupId: string | null;
  body: string;
}

const SOURCE_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function assertSource(name: string): void {
  if (!SOURCE_PATTERN.test(name))
    throw new RangeError(`not a dead-letter source name: ${JSON.stringify(name)}`);
}

export function archiveKey(source: string, at: Date, runId: string, page: number): string {
  assertSource(source);
  return `${PREFIX.archiveDlq}${source}/dt=${at.toISOString().slice(0, 10)}/${runId}-${String(page).padStart(4, '0')}.jsonl`;
}

/** Writes one archive object; resolves once it is stored. */
export async function writeArchive(
  store: ObjectStore,
  key: string,
  records: readonly ArchivedRecord[],
): Promise<void> {
  const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
  await store.put(key, text, { contentType: 'application/x-ndjson' });
}

export interface ArchiveQuery {
  source?: string;
  /** Inclusive UTC days (YYYY-MM-DD) of archiving. */
  from?: string;
  to?: string;
}

/** Every archived record matching the query, in key order (source, day, run). */
export async function* readArchive(
  store: ObjectStore,
  query: ArchiveQuery = {},
): AsyncIterable<ArchivedRecord & { key: string }> {
  if (query.source !== undefined) assertSource(query.source);
  const prefix = query.source === undefined ? PREFIX.archiveDlq : `${PREFIX.archiveDlq}${query.source}/`;
  for await (const object of store.list(prefix)) {
    const day = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(object.key)?.[1];
    if (day === undefined) continue;
    if (query.from !== undefined && day < query.from) continue;
    if (query.to !== undefined && day > query.to) continue;
    const data = await store.get(object.key);
    if (data === null) continue;
    for (const line of Buffer.from(data).toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      yield { ...(JSON.parse(line) as ArchivedRecord), key: object.key };
    }
  }
}
