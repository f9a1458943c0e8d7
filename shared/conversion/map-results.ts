/**
 * The nightly Distributed Map's inputs and outputs in the lake bucket (the same layout on S3 and
 * locally):
 *
 *   nightly/RUN/work-list.jsonl                      Discover's work list: one `{tenantId, dates}` a line
 *   nightly/RUN/results/<map run id>/manifest.json  ResultWriter's manifest
 *   nightly/RUN/results/<map run id>/SUCCEEDED_0.json, FAILED_0.json, PENDING_0.json
 *
 * ResultWriter (no WriterConfig: Transformation NONE, OutputType JSON) writes one JSON array per
 * status; each entry is a child execution with `Input` and `Output` as JSON strings, and `Error` /
 * `Cause` when it failed. A child's input is an ItemBatcher batch `{Items: [{tenantId, dates}...],
 * BatchInput}`; its output is the inner Map's array of TenantOutcome. A child that failed or never
 * ran (PENDING: the Map Run was aborted) counts every tenant of its batch as failed.
 */
import type { ObjectStore } from '../ports/object-store.js';
import type { TenantTargets } from './discover.js';
import type { TenantOutcome } from './summary.js';

export const NIGHTLY_PREFIX = 'nightly/';

export function workListKey(runId: string): string {
  return `${NIGHTLY_PREFIX}${runId}/work-list.jsonl`;
}

export function resultsPrefix(runId: string): string {
  return `${NIGHTLY_PREFIX}${runId}/results/`;
}

/** JSON Lines, one tenant a line (ItemReader InputType JSONL). */
export function encodeWorkList(items: readonly TenantTargets[]): string {
  return items.map((i) => `${JSON.stringify({ tenantId: i.tenantId, dates: i.dates })}\n`).join('');
}

/** What ResultWriter returns as the Map state's result. */
export interface ResultWriterDetails {
  Bucket: string;
  Key: string;
}

export interface MapRunManifest {
  DestinationBucket: string;
  MapRunArn: string;
  ResultFiles: Record<'FAILED' | 'PENDING' | 'SUCCEEDED', { Key: string; Size: number }[]>;
}

/** One entry of a SUCCEEDED_n / FAILED_n / PENDING_n file. */
export interface ChildExecutionResult {
  ExecutionArn?: string;
  Name?: string;
  Status: string;
  Input?: string;
  Output?: string;
  Error?: string;
  Cause?: string;
}

export class MapResultsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MapResultsError';
  }
}

async function readJson(store: ObjectStore, key: string): Promise<unknown> {
  const bytes = await store.get(key);
  if (bytes === null) throw new MapResultsError(`map run result object missing: ${key}`);
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new MapResultsError(`map run result object is not JSON: ${key}`, { cause: error });
  }
}

function parseJsonString(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isTargets(value: unknown): value is TenantTargets {
  const v = value as Partial<TenantTargets> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.tenantId === 'string' &&
    Array.isArray(v.dates) &&
    v.dates.every((d) => typeof d === 'string')
  );
}

function isOutcome(value: unknown): value is TenantOutcome {
  return isTargets(value) && typeof (value as { ok?: unknown }).ok === 'boolean';
}

/** The tenants of one batch (a child's `Input`). */
function batchTenants(entry: ChildExecutionResult): TenantTargets[] {
  const input = parseJsonString(entry.Input) as { Items?: unknown } | undefined;
  const items = Array.isArray(input?.Items) ? input.Items : [];
  return items.filter(isTargets).map((i) => ({ tenantId: i.tenantId, dates: i.dates }));
}

/** Tenant outcomes of one child execution, whatever its status. */
export function childOutcomes(entry: ChildExecutionResult): TenantOutcome[] {
  const tenants = batchTenants(entry);
  if (entry.Status === 'SUCCEEDED') {
    const output = parseJsonString(entry.Output);
    const outcomes = Array.isArray(output) ? output.filter(isOutcome) : [];
    // Every tenant of the batch must be answered; one missing is reported, never dropped.
    const answered = new Set(outcomes.map((o) => o.tenantId));
    const missing = tenants
      .filter((t) => !answered.has(t.tenantId))
      .map((t) => ({
        ...t,
        ok: false,
        error: 'Oplake.OutcomeMissing',
        cause: 'the child execution succeeded without an outcome for this tenant',
      }));
    return [...outcomes, ...missing];
  }
  const error = entry.Error ?? (entry.Status === 'PENDING' ? 'Oplake.NotRun' : `States.${entry.Status}`);
  const cause = entry.Cause ?? `child execution ${entry.Name ?? ''} ${entry.Status.toLowerCase()}`.trim();
  return tenants.map((t) => ({ ...t, ok: false, error, cause }));
}

/** Reads the manifest ResultWriter returned and every result file it lists. */
export async function readMapRunOutcomes(
  store: ObjectStore,
  details: ResultWriterDetails,
): Promise<{ outcomes: TenantOutcome[]; children: number }> {
  const manifest = (await readJson(store, details.Key)) as Partial<MapRunManifest>;
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.ResultFiles !== 'object') {
    throw new MapResultsError(`not a map run manifest: ${details.Key}`);
  }
  const outcomes: TenantOutcome[] = [];
  let children = 0;
  for (const status of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) {
    for (const file of manifest.ResultFiles[status] ?? []) {
      const entries = await readJson(store, file.Key);
      if (!Array.isArray(entries)) throw new MapResultsError(`result file is not an array: ${file.Key}`);
      for (const entry of entries as ChildExecutionResult[]) {
        children++;
        outcomes.push(...childOutcomes({ ...entry, Status: entry.Status ?? status }));
      }
    }
  }
  return { outcomes, children };
}

/** The manifest must be ours: in the lake bucket, under nightly/. */
export function assertOwnBucket(details: ResultWriterDetails, bucket: string): void {
  if (details.Bucket !== bucket) {
    throw new MapResultsError(`map run results in bucket ${details.Bucket}, expected ${bucket}`);
  }
  if (!details.Key.startsWith(NIGHTLY_PREFIX) || details.Key.includes('..')) {
    throw new MapResultsError(`map run manifest outside ${NIGHTLY_PREFIX}: ${details.Key}`);
  }
}
