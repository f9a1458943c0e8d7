/** What one sweep did, per source: the answer of `oplake sweep` and `POST /v1/admin/sweep`. */
export interface SourceSummary {
  /** Dead letters (or Firehose error records) looked at. */
  seen: number;
  transient: number;
  permanent: number;
  /** Sent back to their queue (or re-ingested into Firehose). */
  redriven: number;
  /** Written to archive/dlq/ and removed. */
  archived: number;
  /** Transient, waiting in the DLQ for their backoff. */
  waiting: number;
  /** The source could not be swept completely (after retries); what was done stays done. */
  errors: string[];
}

export interface SweepSummary {
  runId: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  redriven: number;
  archived: number;
  waiting: number;
  /** Alerts sent this sweep (in a dry run: that would have been sent). */
  alerts: number;
  /** Alerts held back because the same cause was alerted inside the dedup window. */
  suppressedAlerts: number;
  alertsSent: { rule: string; key: string; subject: string }[];
  sources: Record<string, SourceSummary>;
}

export function emptySourceSummary(): SourceSummary {
  return { seen: 0, transient: 0, permanent: 0, redriven: 0, archived: 0, waiting: 0, errors: [] };
}
