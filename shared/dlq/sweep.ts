/**
 * The dlq-sweeper's core, the same on AWS (functions/dlq-sweeper) and locally (`oplake sweep`,
 * the dev server's timer, POST /v1/admin/sweep). For every dead-letter source, a page at a time:
 *
 *   classify each letter from its failure record (classify.ts)
 *   transient, under `maxRedrives`, backoff elapsed → count the redrive in the failure record, then redrive
 *   transient, backoff not elapsed                  → leave it (alert if older than maxMessageAgeMs)
 *   permanent, or transient past `maxRedrives`      → archive the page's letters, then remove them
 *
 * Nothing leaves a DLQ before it is redriven or archived; a crash between archive and remove
 * leaves the letter in the DLQ, so the next sweep archives it again (a duplicate line, never a
 * loss). Then the Firehose error prefix (firehose-errors.ts), then the alert rules (alerts.ts).
 * A source whose calls keep failing after retries is reported (`errors`) and alerted
 * (`sweeper_failed`); the other sources are still swept.
 */
import { newRunId } from '../conversion/run-id.js';
import type { Clock } from '../ports/clock.js';
import type { DeliveryStream } from '../ports/delivery-stream.js';
import type { ObjectStore } from '../ports/object-store.js';
import { AlertGate, type AlertRules, DEFAULT_ALERT_RULES } from './alerts.js';
import { type ArchivedRecord, archiveKey, writeArchive } from './archive.js';
import { type Classification, type ClassifyRules, classify, DEFAULT_CLASSIFY_RULES } from './classify.js';
import { bodyHash, type FailureRecord, failureKey, readFailure, writeFailure } from './failure-record.js';
import { sweepFirehoseErrors } from './firehose-errors.js';
import type { Alert, Alerter, DeadLetter, DeadLetterSource, SweepMetrics } from './ports.js';
import { DEFAULT_RETRY, pause, type RetryPolicy, withRetry } from './retry.js';
import { emptySourceSummary, type SourceSummary, type SweepSummary } from './summary.js';

export interface SweepConfig {
  /** Redrives of one transient message before it is archived. */
  maxRedrives: number;
  /** Wait before the n-th redrive (n ≥ 2): backoffBaseMs × 2^(n-2); the first is immediate. */
  backoffBaseMs: number;
  pageSize: number;
  /** Upper bound of letters looked at per source and sweep (the next sweep takes the rest). */
  maxPerSource: number;
  classify: ClassifyRules;
  alerts: AlertRules;
}

export const DEFAULT_SWEEP_CONFIG: Readonly<SweepConfig> = Object.freeze({
  maxRedrives: 3,
  backoffBaseMs: 15 * 60_000,
  pageSize: 10,
  maxPerSource: 10_000,
  classify: DEFAULT_CLASSIFY_RULES,
  alerts: DEFAULT_ALERT_RULES,
});

export interface SweepLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface SweepDeps {
  sources: readonly DeadLetterSource[];
  /** The lake: failure records, the archive, alert state, the Firehose error prefix. */
  store: ObjectStore;
  /** Where Firehose error records are re-ingested; null: the error prefix is not swept. */
  stream: DeliveryStream | null;
  alerter: Alerter;
  metrics: SweepMetrics;
  clock: Clock;
  log: SweepLog;
  retry?: RetryPolicy;
}

export interface SweepOptions {
  dryRun?: boolean;
}

interface SourceRun {
  summary: SourceSummary;
  /** Archived error classes, for the permanent-failures rule. */
  archivedClasses: Map<string, number>;
  oldest: { id: string; ageMs: number } | null;
}

export async function sweep(
  deps: SweepDeps,
  config: SweepConfig,
  options: SweepOptions = {},
): Promise<SweepSummary> {
  const dryRun = options.dryRun ?? false;
  const started = deps.clock.now();
  const runId = newRunId(deps.clock);
  const retry = deps.retry ?? DEFAULT_RETRY;
  const gate = new AlertGate(deps, config.alerts.dedupWindowMs, dryRun);
  const sources: Record<string, SourceSummary> = {};
  const pending: Alert[] = [];

  for (const source of deps.sources) {
    const run: SourceRun = { summary: emptySourceSummary(), archivedClasses: new Map(), oldest: null };
    sources[source.name] = run.summary;
    try {
      await sweepSource(source, run, { deps, config, retry, runId, dryRun });
    } catch (error) {
      run.summary.errors.push(errorText(error));
      deps.log.error('dead-letter source not swept completely', {
        source: source.name,
        error: errorText(error),
      });
      pending.push({
        rule: 'sweeper_failed',
        key: `sweeper_failed:${source.name}`,
        subject: `oplake CRITICAL: the dlq-sweeper cannot sweep ${source.name}`,
        message: `${errorText(error)}\nThe letters stay in the DLQ; nothing was lost. Runbook: docs/runbook.md#sweeper_failed`,
      });
    }
    pending.push(...sourceAlerts(source.name, run, config.alerts));
    emitMetrics(deps.metrics, source.name, run.summary);
  }

  if (deps.stream !== null) {
    const firehose = await sweepFirehoseErrors(
      { store: deps.store, stream: deps.stream, clock: deps.clock, log: deps.log, retry },
      { runId, dryRun, maxRecords: config.maxPerSource },
    );
    sources.firehose = firehose.summary;
    emitMetrics(deps.metrics, 'firehose', firehose.summary);
    pending.push(...firehose.alerts(config.alerts));
  }

  for (const alert of pending) await gate.send(alert);
  for (const error of gate.stateErrors)
    deps.log.warn('alert dedup state not read or written; an alert may repeat', { error: errorText(error) });
  deps.metrics.count('SweepAlerts', {}, gate.sent.length);
  const totals = Object.values(sources);
  const summary: SweepSummary = {
    runId,
    dryRun,
    startedAt: started.toISOString(),
    finishedAt: deps.clock.now().toISOString(),
    redriven: totals.reduce((n, s) => n + s.redriven, 0),
    archived: totals.reduce((n, s) => n + s.archived, 0),
    waiting: totals.reduce((n, s) => n + s.waiting, 0),
    alerts: gate.sent.length,
    suppressedAlerts: gate.suppressed.length,
    alertsSent: gate.sent.map(({ rule, key, subject }) => ({ rule, key, subject })),
    sources,
  };
  deps.log.info('sweep done', { ...summary, sources: undefined });
  return summary;
}

interface SourceContext {
  deps: SweepDeps;
  config: SweepConfig;
  retry: RetryPolicy;
  runId: string;
  dryRun: boolean;
}

async function sweepSource(source: DeadLetterSource, run: SourceRun, ctx: SourceContext): Promise<void> {
  const { deps, config, retry } = ctx;
  const now = deps.clock.now();
  let page = 0;
  // A failed receive is retried with a fresh listing; letters already handled are skipped.
  const handled = new Set<string>();
  let iterator = source.pages(config.pageSize)[Symbol.asyncIterator]();
  let receiveFailures = 0;
  for (;;) {
    let step: IteratorResult<DeadLetter[]>;
    try {
      step = await iterator.next();
    } catch (error) {
      if (++receiveFailures >= retry.attempts) throw error;
      await pause(retry, receiveFailures);
      iterator = source.pages(config.pageSize)[Symbol.asyncIterator]();
      continue;
    }
    if (step.done) break;
    const letters = step.value.filter((letter) => !handled.has(letter.id));
    for (const letter of letters) handled.add(letter.id);
    const toArchive: { letter: DeadLetter; record: ArchivedRecord }[] = [];
    for (const letter of letters) {
      run.summary.seen++;
      const stored = await withRetry(retry, () => readFailure(deps.store, letter.body));
      const record = stored ?? fromQueueError(letter);
      const decision = classify(record, config.classify);
      run.summary[decision.class]++;
      const redrives = stored?.redrives ?? 0;
      if (decision.class === 'transient' && redrives < config.maxRedrives) {
        if (!backoffElapsed(stored, now, config.backoffBaseMs)) {
          run.summary.waiting++;
          const since = Date.parse(stored?.firstFailureAt ?? letter.sentAt ?? now.toISOString());
          const ageMs = now.getTime() - since;
          if (run.oldest === null || ageMs > run.oldest.ageMs) run.oldest = { id: letter.id, ageMs };
          continue;
        }
        if (!ctx.dryRun) {
          const next = nextFailureRecord(letter, stored, record, now);
          await withRetry(retry, () => writeFailure(deps.store, letter.body, next));
          await withRetry(retry, () => source.redrive(letter));
        }
        run.summary.redriven++;
        continue;
      }
      toArchive.push({ letter, record: archived(source.name, letter, stored, record, decision, now) });
    }
    if (toArchive.length > 0 && !ctx.dryRun) {
      const key = archiveKey(source.name, now, ctx.runId, page);
      await withRetry(retry, () =>
        writeArchive(
          deps.store,
          key,
          toArchive.map((a) => a.record),
        ),
      );
      for (const { letter } of toArchive) {
        await withRetry(retry, () => source.remove(letter));
        await withRetry(retry, () => deps.store.delete([failureKey(letter.body)]));
      }
    }
    for (const { record } of toArchive) {
      run.summary.archived++;
      run.archivedClasses.set(record.errorClass, (run.archivedClasses.get(record.errorClass) ?? 0) + 1);
    }
    page++;
    if (run.summary.seen >= config.maxPerSource) break;
  }
}

type RecordLike = Pick<FailureRecord, 'errorClass' | 'message' | 'transient'>;

/** Without a failure record, what the queue kept (the local disk queue keeps the last error). */
function fromQueueError(letter: DeadLetter): RecordLike | null {
  if (letter.lastError === null) return null;
  const match = /^([A-Za-z][\w.]*): (.*)$/s.exec(letter.lastError);
  if (match?.[1] === undefined || match[1] === 'Error') return null;
  return { errorClass: match[1], message: match[2] ?? '', transient: null };
}

function backoffElapsed(stored: FailureRecord | null, now: Date, baseMs: number): boolean {
  if (stored === null || stored.redrives === 0 || stored.lastRedriveAt === null) return true;
  const waitMs = baseMs * 2 ** (stored.redrives - 1);
  return now.getTime() - Date.parse(stored.lastRedriveAt) >= waitMs;
}

function nextFailureRecord(
  letter: DeadLetter,
  stored: FailureRecord | null,
  record: RecordLike | null,
  now: Date,
): FailureRecord {
  const at = now.toISOString();
  return {
    bodyHash: bodyHash(letter.body),
    errorClass: record?.errorClass ?? 'Unrecorded',
    message: record?.message ?? 'the function recorded no failure (timeout, crash or out of memory)',
    transient: record?.transient ?? null,
    attempts: stored?.attempts ?? letter.receiveCount ?? 0,
    firstFailureAt: stored?.firstFailureAt ?? letter.sentAt ?? at,
    lastFailureAt: stored?.lastFailureAt ?? at,
    recordedBy: stored?.recordedBy ?? 'dlq-sweeper',
    redrives: (stored?.redrives ?? 0) + 1,
    lastRedriveAt: at,
  };
}

function archived(
  source: string,
  letter: DeadLetter,
  stored: FailureRecord | null,
  record: RecordLike | null,
  decision: Classification,
  now: Date,
): ArchivedRecord {
  return {
    source,
    id: letter.id,
    archivedAt: now.toISOString(),
    class: decision.class,
    reason: decision.class === 'permanent' ? 'permanent' : 'redrive_limit',
    errorClass: record?.errorClass ?? 'Unrecorded',
    message: record?.message ?? letter.lastError ?? 'the function recorded no failure',
    attempts: stored?.attempts ?? letter.receiveCount ?? 0,
    firstFailureAt: stored?.firstFailureAt ?? null,
    lastFailureAt: stored?.lastFailureAt ?? null,
    redrives: stored?.redrives ?? 0,
    sentAt: letter.sentAt,
    groupId: letter.groupId,
    body: letter.body,
  };
}

function sourceAlerts(source: string, run: SourceRun, rules: AlertRules): Alert[] {
  const alerts: Alert[] = [];
  if (run.summary.archived >= rules.permanentThreshold && run.summary.archived > 0) {
    for (const [errorClass, count] of run.archivedClasses) {
      alerts.push({
        rule: 'permanent_failures',
        key: `permanent_failures:${source}:${errorClass}`,
        subject: `oplake CRITICAL: ${count} ${errorClass} failure(s) archived from ${source}`,
        message: [
          `${count} message(s) of ${source} failed with ${errorClass} and cannot be retried (or ran out of redrives).`,
          `They are archived: oplake dlq list --source ${source}. Runbook: docs/runbook.md#permanent_failures`,
        ].join('\n'),
      });
    }
  }
  if (run.oldest !== null && run.oldest.ageMs > rules.maxMessageAgeMs) {
    alerts.push({
      rule: 'dlq_message_age',
      key: `dlq_message_age:${source}`,
      subject: `oplake CRITICAL: a dead letter of ${source} is ${Math.round(run.oldest.ageMs / 3600_000)} h old`,
      message: `Message ${run.oldest.id} has been failing since ${Math.round(run.oldest.ageMs / 60_000)} min and is still waiting for a redrive. Runbook: docs/runbook.md#dlq_message_age`,
    });
  }
  return alerts;
}

function emitMetrics(metrics: SweepMetrics, source: string, s: SourceSummary): void {
  for (const cls of ['transient', 'permanent'] as const)
    metrics.count('DeadLetters', { source, class: cls }, s[cls]);
  metrics.count('DeadLettersRedriven', { source, class: 'transient' }, s.redriven);
  metrics.count('DeadLettersWaiting', { source, class: 'transient' }, s.waiting);
  metrics.count('DeadLettersArchived', { source }, s.archived);
  metrics.count('SweepSourceErrors', { source }, s.errors.length);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
