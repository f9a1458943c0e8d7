/**
 * The modelled AWS cost of one nightly run, from what the local run counted (tenant-days, child
 * executions, Convert attempts, object store calls, bytes) and stated assumptions. List prices,
 * ap-northeast-1 (Tokyo), as published in 2026; every price and assumption is a named constant so
 * docs/nightly.md can quote them.
 */
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import type { ObjectInfo } from '../../shared/ports/object-store.js';

export const PRICES = Object.freeze({
  /** Athena SQL, per TB scanned (10 MB minimum per query). */
  athenaPerTb: 5,
  athenaMinBytesPerQuery: 10 * 1000 * 1000,
  /** Step Functions Standard, per state transition (retries included). */
  sfnPerTransition: 0.025 / 1000,
  /** Lambda arm64, per GB-second and per request. */
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1_000_000,
  /** S3 Standard requests: PUT, COPY, POST, LIST / GET and others. */
  s3PerPutCopyList: 0.0047 / 1000,
  s3PerGet: 0.00037 / 1000,
  /** SQS standard, per request (send, receive, delete). */
  sqsPerRequest: 0.4 / 1_000_000,
});

export const ASSUMPTIONS = Object.freeze({
  /** Wall time of one small CTAS on Athena (queueing, planning, writing) plus its DROP TABLE. */
  ctasSeconds: 8,
  /** ctas-runner's memory (terraform/functions.tf). */
  ctasRunnerGb: 0.5,
  /** Discover / Housekeep / Summarise: one invocation each, this long, at 512 MB. */
  stepLambdaSeconds: 30,
  /** SQS requests per fan-out message: send, receive, delete. */
  sqsRequestsPerMessage: 3,
});

/** Object store calls of a run, mapped 1:1 to the S3 requests they are on AWS. */
export interface StoreCalls {
  put: number;
  get: number;
  /** LIST requests: one per call plus one per further 1,000 keys. */
  listRequests: number;
  listPrefixes: number;
  copy: number;
  /** DeleteObjects requests (1,000 keys each). */
  deleteRequests: number;
}

/** A FileObjectStore that counts what it is asked, as S3 requests. */
export class CountingFileStore extends FileObjectStore {
  readonly calls: StoreCalls = {
    put: 0,
    get: 0,
    listRequests: 0,
    listPrefixes: 0,
    copy: 0,
    deleteRequests: 0,
  };

  override async put(key: string, body: Uint8Array | string): Promise<void> {
    this.calls.put++;
    return super.put(key, body);
  }
  override async get(key: string): Promise<Uint8Array | null> {
    this.calls.get++;
    return super.get(key);
  }
  override async *list(prefix: string): AsyncIterable<ObjectInfo> {
    this.calls.listRequests++;
    let n = 0;
    for await (const info of super.list(prefix)) {
      if (++n % 1000 === 0) this.calls.listRequests++;
      yield info;
    }
  }
  override async listPrefixes(prefix: string): Promise<string[]> {
    const prefixes = await super.listPrefixes(prefix);
    this.calls.listPrefixes += 1 + Math.floor(prefixes.length / 1000);
    return prefixes;
  }
  override async copy(fromKey: string, toKey: string): Promise<void> {
    this.calls.copy++;
    return super.copy(fromKey, toKey);
  }
  override async delete(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) this.calls.deleteRequests += Math.ceil(keys.length / 1000);
    return super.delete(keys);
  }
}

export interface NightCounts {
  tenants: number;
  tenantDays: number;
  /** Distributed Map child executions (batches). */
  children: number;
  /** Convert task attempts, retries included. */
  convertAttempts: number;
  failedTenants: number;
  /** Bytes a CTAS reads per tenant-day: its raw gzip plus its current Parquet (mean). */
  scannedBytesPerTenantDay: number;
  store: StoreCalls;
}

export interface NightCost {
  athena: { queries: number; billedBytes: number; usd: number };
  stepFunctions: { transitions: number; usd: number };
  lambda: { invocations: number; gbSeconds: number; usd: number };
  s3: { putCopyList: number; get: number; usd: number };
  sqs: { requests: number; usd: number };
  totalUsd: number;
}

/**
 * Transitions: the parent's states (Discover, PerTenant, Housekeep, Summarise), then per child
 * execution its Tenants Map state, per Convert attempt one, per failed tenant TenantFailed. A
 * child's start is counted as one more, to be safe.
 */
export function modelNightCost(c: NightCounts): NightCost {
  const queries = c.convertAttempts;
  const billedBytes = queries * Math.max(PRICES.athenaMinBytesPerQuery, c.scannedBytesPerTenantDay);
  const athenaUsd = (billedBytes / 1e12) * PRICES.athenaPerTb;
  const transitions = 4 + c.children * 2 + c.convertAttempts + c.failedTenants;
  const ctasGbSeconds = c.convertAttempts * ASSUMPTIONS.ctasSeconds * ASSUMPTIONS.ctasRunnerGb;
  const stepGbSeconds = 3 * ASSUMPTIONS.stepLambdaSeconds * 0.5;
  const invocations = c.convertAttempts + 3;
  const lambdaUsd =
    (ctasGbSeconds + stepGbSeconds) * PRICES.lambdaPerGbSecond + invocations * PRICES.lambdaPerRequest;
  // The CTAS writes its staging files itself (Athena's own PUTs, a few per tenant-day).
  const athenaPuts = c.convertAttempts * 2;
  const putCopyList =
    c.store.put +
    c.store.copy +
    c.store.listRequests +
    c.store.listPrefixes +
    c.store.deleteRequests +
    athenaPuts;
  const s3Usd = putCopyList * PRICES.s3PerPutCopyList + c.store.get * PRICES.s3PerGet;
  const sqsRequests = c.convertAttempts * ASSUMPTIONS.sqsRequestsPerMessage;
  const sqsUsd = sqsRequests * PRICES.sqsPerRequest;
  const sfnUsd = transitions * PRICES.sfnPerTransition;
  return {
    athena: { queries, billedBytes, usd: athenaUsd },
    stepFunctions: { transitions, usd: sfnUsd },
    lambda: { invocations, gbSeconds: ctasGbSeconds + stepGbSeconds, usd: lambdaUsd },
    s3: { putCopyList, get: c.store.get, usd: s3Usd },
    sqs: { requests: sqsRequests, usd: sqsUsd },
    totalUsd: athenaUsd + sfnUsd + lambdaUsd + s3Usd + sqsUsd,
  };
}
