/**
 * Critical alerts, one per cause: the rules and thresholds (configuration, with defaults) and the
 * gate that keeps a storm of one cause to one alert. The gate remembers, in the object store
 * (`state/alerts/<sha256(key)>.json`), when each key was last sent; the same key inside the
 * dedup window is suppressed. The alert is published first and remembered second, so a crash in
 * between repeats an alert rather than losing one.
 */
import { createHash } from 'node:crypto';
import type { NightlySummary } from '../conversion/summary.js';
import { PREFIX } from '../domain/layout.js';
import type { Clock } from '../ports/clock.js';
import type { ObjectStore } from '../ports/object-store.js';
import type { Alert, Alerter } from './ports.js';

export interface AlertRules {
  /** Archived (permanent or exhausted) failures of one source in one sweep that raise an alert. */
  permanentThreshold: number;
  /** A dead letter still waiting in its DLQ this long after its first failure raises an alert. */
  maxMessageAgeMs: number;
  /** Firehose error records found in one sweep that raise an alert. */
  firehoseErrorThreshold: number;
  /** The same alert key is sent at most once in this window. */
  dedupWindowMs: number;
}

export const DEFAULT_ALERT_RULES: Readonly<AlertRules> = Object.freeze({
  permanentThreshold: 1,
  maxMessageAgeMs: 24 * 3600_000,
  firehoseErrorThreshold: 1,
  dedupWindowMs: 6 * 3600_000,
});

export type AlertOutcome = 'sent' | 'suppressed' | 'dry-run';

interface AlertState {
  key: string;
  lastSentAt: string;
}

export function alertStateKey(key: string): string {
  return `${PREFIX.alertState}${createHash('sha256').update(key).digest('hex')}.json`;
}

export class AlertGate {
  private readonly seen = new Set<string>();
  readonly sent: Alert[] = [];
  readonly suppressed: Alert[] = [];
  /** Dedup state that could not be read or written (the alert was sent regardless). */
  readonly stateErrors: unknown[] = [];

  constructor(
    private readonly deps: { store: ObjectStore; alerter: Alerter; clock: Clock },
    private readonly windowMs: number,
    private readonly dryRun = false,
  ) {}

  async send(alert: Alert): Promise<AlertOutcome> {
    if (this.seen.has(alert.key)) {
      this.suppressed.push(alert);
      return 'suppressed';
    }
    this.seen.add(alert.key);
    const now = this.deps.clock.now();
    const stateKey = alertStateKey(alert.key);
    if (await this.recentlySent(stateKey, now)) {
      this.suppressed.push(alert);
      return 'suppressed';
    }
    if (this.dryRun) {
      this.sent.push(alert);
      return 'dry-run';
    }
    await this.deps.alerter.publish(alert);
    this.sent.push(alert);
    const state: AlertState = { key: alert.key, lastSentAt: now.toISOString() };
    try {
      await this.deps.store.put(stateKey, JSON.stringify(state), { contentType: 'application/json' });
    } catch (error) {
      // Sent, but not remembered: the next sweep may repeat it. A repeat beats a silence.
      this.stateErrors.push(error);
    }
    return 'sent';
  }

  private async recentlySent(stateKey: string, now: Date): Promise<boolean> {
    let data: Uint8Array | null;
    try {
      data = await this.deps.store.get(stateKey);
    } catch (error) {
      this.stateErrors.push(error);
      return false;
    }
    if (data === null) return false;
    try {
      const state = JSON.parse(Buffer.from(data).toString('utf8')) as AlertState;
      return now.getTime() - Date.parse(state.lastSentAt) < this.windowMs;
    } catch (error) {
      this.stateErrors.push(error);
      return false;
    }
  }
}

/** The nightly rule: a tenant failed after the workflow's retries (NightlySummary.failedTenants). */
export function nightlyAlert(summary: NightlySummary): Alert | null {
  if (summary.failedTenants.length === 0) return null;
  const lines = summary.failures.map((f) => `- ${f.tenantId}: ${f.error}: ${f.cause.split('\n')[0] ?? ''}`);
  return {
    rule: 'nightly_tenant_failed',
    key: `nightly_tenant_failed:${summary.date}`,
    subject: `oplake CRITICAL: nightly conversion failed for ${summary.failedTenants.length} tenant(s) on ${summary.date}`,
    message: [
      `Run ${summary.runId} (${summary.date}): ${summary.failed} tenant-day(s) failed after retries and stay pending in raw/ for the next run.`,
      ...lines,
      'Runbook: docs/runbook.md#nightly_tenant_failed',
    ].join('\n'),
  };
}
