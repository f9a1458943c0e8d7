/**
 * oplake's monthly AWS bill, service by service, from the inputs and measured figures. Each line
 * is a plain product of a quantity and a price (prices.ts), so a reader can redo any figure by
 * hand; model.test.ts does exactly that for small fleets. Storage is the steady state with the
 * whole retention window filled (the bill of year 5 onwards), as for the 2020 design.
 */
import { type CostInputs, DAYS_PER_MONTH, type Figures, tenantSizes } from './inputs.js';
import { PRICES, type PriceBook } from './prices.js';

export interface CostLine {
  service: string;
  item: string;
  usd: number;
  /** The quantity behind the figure, for a person. */
  detail: string;
}

/** Design choices the levers switch (defaults: what terraform/ deploys today). */
export interface OplakeOptions {
  /** Split packs up to 500 events into one Firehose record (else one event a record). */
  packing: boolean;
  idempotency: 'on-demand' | 'provisioned' | 'none';
  /** Monthly compaction of small tenants' days into one file per tenant-month. */
  compaction: boolean;
  /** Parquet older than this many days moves to Glacier Instant Retrieval (null: stays Standard). */
  parquetColdAfterDays: number | null;
  /** CloudWatch Logs bytes written per Lambda invocation (platform lines + the function's own). */
  logBytesPerInvocation: number;
}

export const DEFAULT_OPTIONS: Readonly<OplakeOptions> = Object.freeze({
  packing: true,
  idempotency: 'on-demand',
  compaction: false,
  parquetColdAfterDays: null,
  logBytesPerInvocation: 1000,
});

export const MB = 1e6;
export const GB = 1e9;
export const ATHENA_MIN_BYTES = 10 * MB;
export const FIREHOSE_ROUNDING = 5 * 1024;
const LAMBDA_GB = { ingest: 1, split: 1, ctasRunner: 0.5, nightly: 0.5, search: 1 };
/** Share of one vCPU a 1,024 MB function gets (one full vCPU at 1,769 MB). */
const CPU_SHARE_1GB = 1024 / 1769;
const FIREHOSE_BUFFER_SECONDS = 900;
const FIREHOSE_BUFFER_BYTES = 128 * MB;
/** Firehose JQ metadata extraction: GB per JQ processing hour (assumption, no public figure). */
const JQ_GB_PER_HOUR = 100;
const CONVERSION_SECONDS = 15;
const SEARCH_SECONDS = 2.5;
const ASYNC_SEARCH_SHARE = 0.1;
const ATHENA_GETS_PER_PARQUET_FILE = 3;
const ALARMS = 14;
const CUSTOM_METRICS = 40;

/** Bytes Athena bills for one query: what it read, at least 10 MB. */
export function athenaBilledBytes(scanned: number): number {
  return Math.max(ATHENA_MIN_BYTES, scanned);
}

/** Bytes Firehose bills for one record: rounded up to the next 5 KB. */
export function firehoseBilledBytes(recordBytes: number): number {
  return Math.max(1, Math.ceil(recordBytes / FIREHOSE_ROUNDING)) * FIREHOSE_ROUNDING;
}

/** The quantities both the oplake lines and the per-tenant unit costs start from. */
export function volumes(inputs: CostInputs) {
  const eventsPerDay = inputs.pcs * inputs.eventsPerPcPerDay;
  const requestsPerPcPerDay = (inputs.activeHoursPerDay * 60) / inputs.postIntervalMinutes;
  const requestsPerDay = inputs.pcs * requestsPerPcPerDay;
  return {
    eventsPerDay,
    eventsPerMonth: eventsPerDay * DAYS_PER_MONTH,
    requestsPerDay,
    requestsPerMonth: requestsPerDay * DAYS_PER_MONTH,
    eventsPerRequest: inputs.eventsPerPcPerDay / requestsPerPcPerDay,
    sizes: tenantSizes(inputs.pcs, inputs.tenants, inputs.tenantSizeSkew),
  };
}

export function oplakeMonthly(
  inputs: CostInputs,
  figures: Figures,
  options: OplakeOptions = DEFAULT_OPTIONS,
  prices: PriceBook = PRICES,
): CostLine[] {
  const D = DAYS_PER_MONTH;
  const v = volumes(inputs);
  const lines: CostLine[] = [];
  const add = (service: string, item: string, usd: number, detail: string) =>
    lines.push({ service, item, usd, detail });
  const n = (x: number) => fmtQty(x);

  // Lambda ------------------------------------------------------------------------------------
  const ingestSeconds =
    (figures.ingestMsPerRequest.value + figures.ingestMsPerEvent.value * v.eventsPerRequest) / 1000;
  const splitInvocations = v.requestsPerMonth / 10; // SQS batch size 10
  const splitSeconds =
    (10 * v.eventsPerRequest) / (figures.splitEventsPerSecond.value * CPU_SHARE_1GB) + 0.05; // + PutRecordBatch, meter
  const tenantDaysPerMonth = inputs.tenants * D;
  const searchesPerMonth = inputs.tenants * inputs.searchesPerTenantPerDay * D;
  const fns: Array<[string, number, number, number]> = [
    ['ingest', v.requestsPerMonth, ingestSeconds, LAMBDA_GB.ingest],
    ['split', splitInvocations, splitSeconds, LAMBDA_GB.split],
    ['ctas-runner', tenantDaysPerMonth, CONVERSION_SECONDS, LAMBDA_GB.ctasRunner],
    ['nightly', D, 30, LAMBDA_GB.nightly],
    ['search', searchesPerMonth, SEARCH_SECONDS, LAMBDA_GB.search],
  ];
  for (const [name, invocations, seconds, gb] of fns) {
    add(
      'Lambda',
      `${name} requests`,
      invocations * prices.lambdaRequest.usd,
      `${n(invocations)} invocations`,
    );
    add(
      'Lambda',
      `${name} duration`,
      invocations * seconds * gb * prices.lambdaArmGbSecond.usd,
      `${n(invocations * seconds * gb)} GB-s (${(seconds * 1000).toFixed(1)} ms x ${gb * 1024} MB)`,
    );
  }
  add('Function URLs', 'ingest + search', 0, 'no charge beyond Lambda');

  // SQS ---------------------------------------------------------------------------------------
  const messageBytes = v.eventsPerRequest * figures.bytesPerEvent.value * 1.2;
  // SQS bills each request per 64 KB of payload: a send per batch, a receive and a delete per 10.
  const sendChunks = Math.max(1, Math.ceil(messageBytes / 65536));
  const receiveChunks = Math.max(1, Math.ceil((10 * messageBytes) / 65536)) / 10;
  const idlePolls = 2 * 5 * 3 * 1440 * D; // 2 queues x 5 pollers x a 20 s long poll
  const sqsRequests =
    v.requestsPerMonth * (sendChunks + receiveChunks + 0.1) + idlePolls + tenantDaysPerMonth * 3;
  add('SQS', 'batch + fan-out queues', sqsRequests * prices.sqsRequest.usd, `${n(sqsRequests)} requests`);

  // DynamoDB ----------------------------------------------------------------------------------
  if (options.idempotency === 'on-demand') {
    const writes = v.requestsPerMonth * 2;
    add('DynamoDB', 'idempotency (on-demand)', writes * prices.ddbWriteRequest.usd, `${n(writes)} WRU`);
  } else if (options.idempotency === 'provisioned') {
    const peakPerSecond = (v.requestsPerDay * 2) / (inputs.activeHoursPerDay * 3600);
    const wcu = Math.ceil(peakPerSecond * 1.5); // auto scaling at ~70% utilisation over the work day
    const hours = (inputs.activeHoursPerDay + 2) * D; // scaled down outside office hours
    add(
      'DynamoDB',
      'idempotency (provisioned, auto scaling)',
      wcu * hours * prices.ddbWcuHour.usd,
      `${n(wcu)} WCU x ${n(hours)} h`,
    );
  }
  const registry = searchesPerMonth * ASYNC_SEARCH_SHARE;
  add(
    'DynamoDB',
    'query registry',
    registry * 2 * (prices.ddbWriteRequest.usd + prices.ddbReadRequest.usd),
    `${n(registry)} async searches`,
  );

  // Firehose ----------------------------------------------------------------------------------
  const perRecord = options.packing ? Math.min(500, v.eventsPerRequest) : 1;
  const records = (v.eventsPerMonth / perRecord) * 1;
  const billed = records * firehoseBilledBytes(perRecord * figures.storedLineBytesPerEvent.value);
  const processed = v.eventsPerMonth * figures.storedLineBytesPerEvent.value;
  add(
    'Firehose',
    'ingestion (5 KB rounding)',
    (billed / GB) * prices.firehoseIngestGb.usd,
    `${n(records)} records, ${n(billed / GB)} GB billed`,
  );
  add(
    'Firehose',
    'dynamic partitioning',
    (processed / GB) * prices.firehoseDynamicPartitionGb.usd,
    `${n(processed / GB)} GB`,
  );
  const objectsPerDay = v.sizes.reduce((sum, pcs) => {
    const bytes = pcs * inputs.eventsPerPcPerDay * figures.storedLineBytesPerEvent.value;
    return (
      sum +
      Math.max(
        Math.ceil((inputs.activeHoursPerDay * 3600) / FIREHOSE_BUFFER_SECONDS),
        Math.ceil(bytes / FIREHOSE_BUFFER_BYTES),
      )
    );
  }, 0);
  const objects = objectsPerDay * D;
  add(
    'Firehose',
    'objects delivered',
    objects * prices.firehoseDynamicPartitionObject.usd,
    `${n(objects)} objects`,
  );
  add(
    'Firehose',
    'JQ partition keys',
    (processed / GB / JQ_GB_PER_HOUR) * prices.firehoseJqHour.usd,
    `${n(processed / GB / JQ_GB_PER_HOUR)} h (assumes ${JQ_GB_PER_HOUR} GB/h)`,
  );

  // S3 ----------------------------------------------------------------------------------------
  const retentionDays = inputs.retentionYears * 365;
  const parquetGb = (v.eventsPerDay * figures.parquetBytesPerEvent.value * retentionDays) / GB;
  const rawGb = (v.eventsPerDay * figures.rawGzipBytesPerEvent.value * (1 + inputs.rawWindowDays)) / GB;
  const cold = options.parquetColdAfterDays;
  const coldShare = cold === null ? 0 : Math.max(0, (retentionDays - cold) / retentionDays);
  add(
    'S3',
    'storage Standard',
    (parquetGb * (1 - coldShare) + rawGb) * prices.s3StandardGbMonth.usd,
    `${n(parquetGb * (1 - coldShare))} GB Parquet + ${n(rawGb)} GB raw (${inputs.rawWindowDays}-day window)`,
  );
  if (coldShare > 0)
    add(
      'S3',
      `storage Glacier IR (Parquet after ${cold} days)`,
      parquetGb * coldShare * prices.s3GlacierIrGbMonth.usd,
      `${n(parquetGb * coldShare)} GB`,
    );
  const perTenantDayObjects = objectsPerDay / inputs.tenants;
  const conversionPuts = tenantDaysPerMonth * (2 + perTenantDayObjects + 3 + 1); // stage, publish, archive copies, lists, results
  const meterPuts = splitInvocations + searchesPerMonth;
  const searchFiles = inputs.searchShapes.reduce(
    (sum, s) => sum + s.share * (options.compaction ? Math.min(s.days, 1 + Math.ceil(s.days / 30)) : s.days),
    0,
  );
  const searchGets =
    searchesPerMonth * (searchFiles * ATHENA_GETS_PER_PARQUET_FILE + perTenantDayObjects / 2 + 1);
  const conversionGets = tenantDaysPerMonth * (perTenantDayObjects * 2 + 1);
  add(
    'S3',
    'PUT/COPY/LIST',
    (objects + conversionPuts + meterPuts + searchesPerMonth) * prices.s3PutRequest.usd,
    `${n(objects)} Firehose + ${n(conversionPuts)} conversion + ${n(meterPuts)} usage meter + ${n(searchesPerMonth)} results`,
  );
  add(
    'S3',
    'GET',
    (searchGets + conversionGets) * prices.s3GetRequest.usd,
    `${n(searchGets)} search + ${n(conversionGets)} conversion`,
  );
  if (coldShare > 0) {
    const coldScanned = searchScanned(inputs, v.sizes, (s) => Math.max(0, s.days - (cold ?? 0)));
    add(
      'S3',
      'Glacier IR retrieval by searches',
      (coldScanned * D * prices.s3GlacierIrRetrievalGb.usd) / GB,
      `${n((coldScanned * D) / GB)} GB`,
    );
  }

  // Athena ------------------------------------------------------------------------------------
  const conversionBytes =
    v.sizes.reduce(
      (sum, pcs) =>
        sum + athenaBilledBytes(pcs * inputs.eventsPerPcPerDay * figures.rawGzipBytesPerEvent.value),
      0,
    ) * D;
  add(
    'Athena',
    'nightly conversion (CTAS)',
    (conversionBytes / 1e12) * prices.athenaTbScanned.usd,
    `${n(conversionBytes / GB)} GB billed, ${n(tenantDaysPerMonth)} queries`,
  );
  const searchBytes = searchScanned(inputs, v.sizes, (s) => s.days, true) * D;
  add(
    'Athena',
    'searches',
    (searchBytes / 1e12) * prices.athenaTbScanned.usd,
    `${n(searchBytes / GB)} GB billed, ${n(searchesPerMonth)} queries`,
  );

  // Step Functions ----------------------------------------------------------------------------
  const transitions = (20 + inputs.tenants * 6) * D;
  add(
    'Step Functions',
    'nightly workflow',
    transitions * prices.sfnTransition.usd,
    `${n(transitions)} transitions`,
  );

  // CloudWatch --------------------------------------------------------------------------------
  const invocations = fns.reduce((sum, [, count]) => sum + count, 0);
  const logGb = (invocations * options.logBytesPerInvocation) / GB;
  add(
    'CloudWatch',
    'logs ingested',
    logGb * prices.cwLogsIngestGb.usd,
    `${n(logGb)} GB (${options.logBytesPerInvocation} B/invocation)`,
  );
  add(
    'CloudWatch',
    'logs stored (30 days)',
    logGb * (30 / D) * 0.15 * prices.cwLogsStorageGbMonth.usd,
    'compressed ~0.15',
  );
  add(
    'CloudWatch',
    'metrics + alarms',
    CUSTOM_METRICS * prices.cwCustomMetricMonth.usd + ALARMS * prices.cwAlarmMonth.usd,
    `${CUSTOM_METRICS} metrics, ${ALARMS} alarms`,
  );

  // KMS ---------------------------------------------------------------------------------------
  const kmsRequests = (objects + conversionPuts + searchGets + conversionGets) * 0.01 + 1e6;
  add(
    'KMS',
    'key + requests (S3 bucket key)',
    prices.kmsKeyMonth.usd + kmsRequests * prices.kmsRequest.usd,
    `${n(kmsRequests)} requests`,
  );
  return lines;
}

/** Bytes scanned by a day's searches over every tenant (billed: 10 MB minimum a query). */
function searchScanned(
  inputs: CostInputs,
  sizes: readonly number[],
  days: (shape: CostInputs['searchShapes'][number]) => number,
  billed = false,
): number {
  let total = 0;
  for (const pcs of sizes) {
    const eventsPerDay = pcs * inputs.eventsPerPcPerDay;
    for (const shape of inputs.searchShapes) {
      const scanned = days(shape) * eventsPerDay * shape.bytesPerEvent;
      total += inputs.searchesPerTenantPerDay * shape.share * (billed ? athenaBilledBytes(scanned) : scanned);
    }
  }
  return total;
}

export function total(lines: readonly CostLine[]): number {
  return lines.reduce((sum, l) => sum + l.usd, 0);
}

export function byService(lines: readonly CostLine[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) out.set(l.service, (out.get(l.service) ?? 0) + l.usd);
  return out;
}

export function fmtQty(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)}B`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  return x >= 100 ? x.toFixed(0) : x.toFixed(2);
}
