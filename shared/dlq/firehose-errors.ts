/**
 * The Firehose error prefix (`errors/firehose/<error-output-type>/<day>/...`): records Firehose
 * could not deliver (dynamic partitioning over its active-partition quota, processing failures).
 * Each error object holds JSON lines `{errorCode, errorMessage, attemptsMade, arrivalTimestamp,
 * rawData}` (gzip or not) with `rawData` the base64 of the record split put: JSON lines of one
 * tenant and day.
 *
 * Each record is re-ingested once, through the same DeliveryStream split uses. Once: the
 * record's failure record (keyed by its rawData) remembers the error object it was re-ingested
 * from; a record that comes back in a later error object is archived instead. Idempotent: a
 * crash after the put repeats the put from the same object (same events, same ids; readers
 * dedup), and the error object is deleted only after its records are re-ingested or archived.
 */
import { promisify } from 'node:util';
import { gunzip as gunzipCallback } from 'node:zlib';
import { PREFIX } from '../domain/layout.js';
import type { Clock } from '../ports/clock.js';
import type { DeliveryRecord, DeliveryStream } from '../ports/delivery-stream.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { AlertRules } from './alerts.js';
import { type ArchivedRecord, archiveKey, writeArchive } from './archive.js';
import { bodyHash, readFailure, writeFailure } from './failure-record.js';
import type { Alert } from './ports.js';
import { type RetryPolicy, withRetry } from './retry.js';
import { emptySourceSummary, type SourceSummary } from './summary.js';
import type { SweepLog } from './sweep.js';

const gunzip = promisify(gunzipCallback);
export const FIREHOSE_SOURCE = 'firehose';

interface ErrorRecord {
  errorCode?: unknown;
  errorMessage?: unknown;
  attemptsMade?: unknown;
  arrivalTimestamp?: unknown;
  rawData?: unknown;
}

interface FirehoseDeps {
  store: ObjectStore;
  stream: DeliveryStream;
  clock: Clock;
  log: SweepLog;
  retry: RetryPolicy;
}

export interface FirehoseSweep {
  summary: SourceSummary;
  alerts(rules: AlertRules): Alert[];
}

export async function sweepFirehoseErrors(
  deps: FirehoseDeps,
  options: { runId: string; dryRun: boolean; maxRecords: number },
): Promise<FirehoseSweep> {
  const summary = emptySourceSummary();
  const codes = new Map<string, number>();
  const now = deps.clock.now();
  let page = 0;
  try {
    const keys: string[] = [];
    for await (const object of deps.store.list(PREFIX.firehoseErrors)) keys.push(object.key);
    for (const key of keys) {
      if (summary.seen >= options.maxRecords) break;
      const data = await withRetry(deps.retry, () => deps.store.get(key));
      if (data === null) continue;
      const lines = (await decode(data)).split('\n').filter((l) => l.trim() !== '');
      const toArchive: ArchivedRecord[] = [];
      for (const [index, line] of lines.entries()) {
        summary.seen++;
        const id = `${key}#${index}`;
        const parsed = parseErrorRecord(line);
        const code = parsed?.errorCode ?? 'Unreadable';
        codes.set(code, (codes.get(code) ?? 0) + 1);
        const records = parsed === null ? null : toDeliveryRecords(parsed.raw);
        if (parsed === null || records === null) {
          summary.permanent++;
          toArchive.push(
            archivedLine(
              id,
              line,
              code,
              'unreadable',
              'the error record or its rawData is not JSON lines of events',
              now,
            ),
          );
          continue;
        }
        summary.transient++;
        const previous = await withRetry(deps.retry, () => readFailure(deps.store, parsed.raw));
        if (previous !== null && previous.origin !== key) {
          // Re-ingested once already, from another error object, and failed again.
          toArchive.push(
            archivedLine(id, parsed.raw, code, 'redrive_limit', parsed.message, now, previous.redrives),
          );
          continue;
        }
        if (options.dryRun) {
          summary.redriven++;
          continue;
        }
        try {
          if (previous === null) {
            const at = now.toISOString();
            await withRetry(deps.retry, () =>
              writeFailure(deps.store, parsed.raw, {
                bodyHash: bodyHash(parsed.raw),
                errorClass: code,
                message: parsed.message,
                transient: true,
                attempts: parsed.attempts,
                firstFailureAt: parsed.arrivedAt ?? at,
                lastFailureAt: at,
                recordedBy: 'firehose',
                redrives: 1,
                lastRedriveAt: at,
                origin: key,
              }),
            );
          }
          await deps.stream.putRecords(records);
          summary.redriven++;
        } catch (error) {
          deps.log.error('Firehose error record not re-ingested; archiving it', {
            key,
            index,
            error: String(error),
          });
          toArchive.push(archivedLine(id, parsed.raw, code, 'reingest_failed', String(error), now, 1));
        }
      }
      if (!options.dryRun) {
        if (toArchive.length > 0) {
          const target = archiveKey(FIREHOSE_SOURCE, now, options.runId, page++);
          await withRetry(deps.retry, () => writeArchive(deps.store, target, toArchive));
        }
        await withRetry(deps.retry, () => deps.store.delete([key]));
      }
      summary.archived += toArchive.length;
    }
  } catch (error) {
    summary.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    deps.log.error('Firehose error prefix not swept completely', { error: String(error) });
  }
  return {
    summary,
    alerts: (rules) => {
      const alerts: Alert[] = [];
      const total = [...codes.values()].reduce((a, b) => a + b, 0);
      if (total >= rules.firehoseErrorThreshold && total > 0) {
        for (const [code, count] of codes) {
          alerts.push({
            rule: 'firehose_delivery',
            key: `firehose_delivery:${code}`,
            subject: `oplake CRITICAL: Firehose failed to deliver ${count} record(s): ${code}`,
            message: `${count} record(s) under ${PREFIX.firehoseErrors} with ${code}; ${summary.redriven} re-ingested, ${summary.archived} archived. Runbook: docs/runbook.md#firehose_delivery`,
          });
        }
      }
      if (summary.errors.length > 0) {
        alerts.push({
          rule: 'sweeper_failed',
          key: `sweeper_failed:${FIREHOSE_SOURCE}`,
          subject: 'oplake CRITICAL: the dlq-sweeper cannot sweep the Firehose error prefix',
          message: `${summary.errors.join('\n')}\nRunbook: docs/runbook.md#sweeper_failed`,
        });
      }
      return alerts;
    },
  };
}

async function decode(data: Uint8Array): Promise<string> {
  const bytes = data[0] === 0x1f && data[1] === 0x8b ? await gunzip(data) : data;
  return Buffer.from(bytes).toString('utf8');
}

interface ParsedError {
  errorCode: string;
  message: string;
  attempts: number;
  arrivedAt: string | null;
  /** The record's data, decoded from base64. */
  raw: string;
}

function parseErrorRecord(line: string): ParsedError | null {
  let value: ErrorRecord;
  try {
    value = JSON.parse(line) as ErrorRecord;
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || typeof value.rawData !== 'string') return null;
  return {
    errorCode: typeof value.errorCode === 'string' ? value.errorCode : 'Unknown',
    message: typeof value.errorMessage === 'string' ? value.errorMessage : '',
    attempts: typeof value.attemptsMade === 'number' ? value.attemptsMade : 0,
    arrivedAt:
      typeof value.arrivalTimestamp === 'number' ? new Date(value.arrivalTimestamp).toISOString() : null,
    raw: Buffer.from(value.rawData, 'base64').toString('utf8'),
  };
}

/** The record's JSON lines grouped back into delivery records (one tenant and day each); null if unreadable. */
export function toDeliveryRecords(raw: string): DeliveryRecord[] | null {
  const groups = new Map<string, { tenantId: string; dt: string; lines: string[] }>();
  for (const line of raw.split('\n')) {
    if (line.trim() === '') continue;
    let event: { tenant_id?: unknown; dt?: unknown };
    try {
      event = JSON.parse(line) as { tenant_id?: unknown; dt?: unknown };
    } catch {
      return null;
    }
    if (typeof event.tenant_id !== 'string' || typeof event.dt !== 'string') return null;
    const groupKey = `${event.tenant_id}\u0000${event.dt}`;
    const group = groups.get(groupKey) ?? { tenantId: event.tenant_id, dt: event.dt, lines: [] };
    group.lines.push(`${line}\n`);
    groups.set(groupKey, group);
  }
  if (groups.size === 0) return null;
  return [...groups.values()].map((g) => ({
    tenantId: g.tenantId,
    dt: g.dt,
    data: Buffer.from(g.lines.join(''), 'utf8'),
    events: g.lines.length,
  }));
}

function archivedLine(
  id: string,
  body: string,
  code: string,
  reason: ArchivedRecord['reason'],
  message: string,
  now: Date,
  redrives = 0,
): ArchivedRecord {
  return {
    source: FIREHOSE_SOURCE,
    id,
    archivedAt: now.toISOString(),
    class: reason === 'unreadable' ? 'permanent' : 'transient',
    reason,
    errorClass: code,
    message,
    attempts: 0,
    firstFailureAt: null,
    lastFailureAt: null,
    redrives,
    sentAt: null,
    groupId: null,
    body,
  };
}
