/**
 * The seed's 2020 design at the same volume, priced with today's Tokyo prices:
 *   agents -> the same front door (ingest Lambda; counted the same as oplake's)
 *          -> Kinesis Data Streams (provisioned shards, one record per event)
 *          -> Spark Streaming on an always-on EMR cluster
 *          -> OpenSearch for the recent days (hot search) and
 *             DynamoDB time-split tables (one table a month, one item per event) for the history.
 * Sizing rules are written beside each line. Storage is the steady state with the retention
 * window full, as for oplake.
 */
import type { CostInputs, Figures } from './inputs.js';
import { DAYS_PER_MONTH } from './inputs.js';
import { type CostLine, GB, fmtQty as n, volumes } from './oplake-model.js';
import { PRICES, type PriceBook } from './prices.js';

export interface LegacyOptions {
  /** Days kept in OpenSearch. */
  hotDays: number;
  replicas: number;
  /** Events per second one Spark Streaming core node (m5.2xlarge) keeps up with (assumption). */
  eventsPerSecondPerCoreNode: number;
  /** Bytes DynamoDB stores per item beyond the event (keys, attribute names, index overhead). */
  itemOverheadBytes: number;
  /** Peak over the work-day average (morning log-on wave). */
  peakFactor: number;
}

export const DEFAULT_LEGACY: Readonly<LegacyOptions> = Object.freeze({
  hotDays: 14,
  replicas: 1,
  eventsPerSecondPerCoreNode: 5000,
  itemOverheadBytes: 200,
  peakFactor: 2,
});

const HOURS = 24 * DAYS_PER_MONTH;
const OPENSEARCH_GB_PER_NODE = 400; // usable EBS per r6g.large.search data node at a sane shard size

export function legacyMonthly(
  inputs: CostInputs,
  figures: Figures,
  options: LegacyOptions = DEFAULT_LEGACY,
  prices: PriceBook = PRICES,
): CostLine[] {
  const v = volumes(inputs);
  const lines: CostLine[] = [];
  const add = (service: string, item: string, usd: number, detail: string) =>
    lines.push({ service, item, usd, detail });
  const bytes = figures.bytesPerEvent.value;
  const peakEventsPerSecond = (v.eventsPerDay / (inputs.activeHoursPerDay * 3600)) * options.peakFactor;

  // The front door is the same function URL + ingest Lambda as oplake's.
  const ingestSeconds =
    (figures.ingestMsPerRequest.value + figures.ingestMsPerEvent.value * v.eventsPerRequest) / 1000;
  add(
    'Lambda',
    'ingest (same front door)',
    v.requestsPerMonth * (prices.lambdaRequest.usd + ingestSeconds * prices.lambdaArmGbSecond.usd),
    `${n(v.requestsPerMonth)} invocations`,
  );

  const shards = Math.max(
    1,
    Math.ceil(Math.max((peakEventsPerSecond * bytes) / 1e6, peakEventsPerSecond / 1000) * 1.25),
  );
  add(
    'Kinesis Data Streams',
    'shard-hours',
    shards * HOURS * prices.kdsShardHour.usd,
    `${shards} shards (peak ${n(peakEventsPerSecond)} events/s, 1 MB/s or 1,000 records/s a shard, +25%)`,
  );
  add(
    'Kinesis Data Streams',
    'PUT payload units',
    v.eventsPerMonth * prices.kdsPutUnit.usd,
    `${n(v.eventsPerMonth)} records of one event`,
  );

  const coreNodes = Math.max(2, Math.ceil(peakEventsPerSecond / options.eventsPerSecondPerCoreNode));
  add(
    'EMR',
    'Spark Streaming cluster (always on)',
    HOURS * (prices.emrM5XlargeHour.usd + coreNodes * prices.emrM52XlargeHour.usd) +
      (1 + coreNodes) * 64 * prices.ebsGp3GbMonth.usd,
    `1 m5.xlarge master + ${coreNodes} m5.2xlarge core, 64 GB EBS each`,
  );

  const hotGb = (v.eventsPerDay * options.hotDays * bytes * 1.1 * (1 + options.replicas)) / 0.75 / GB;
  const dataNodes = Math.max(2, Math.ceil(hotGb / OPENSEARCH_GB_PER_NODE));
  const masters = dataNodes >= 3 ? 3 : 0;
  add(
    'OpenSearch',
    `${options.hotDays} hot days`,
    HOURS * (dataNodes * prices.aosR6gLargeHour.usd + masters * prices.aosM6gLargeHour.usd) +
      hotGb * prices.aosGp3GbMonth.usd,
    `${dataNodes} r6g.large data + ${masters} masters, ${n(hotGb)} GB gp3 (x1.1 index, ${options.replicas} replica, 75% fill)`,
  );

  const itemBytes = bytes + options.itemOverheadBytes;
  const historyDays = inputs.retentionYears * 365;
  const ddbGb = (v.eventsPerDay * historyDays * itemBytes) / GB;
  add(
    'DynamoDB',
    'history storage (time-split tables)',
    ddbGb * prices.ddbStorageGbMonth.usd,
    `${n(ddbGb)} GB (${n(v.eventsPerDay * historyDays)} items x ${itemBytes} B)`,
  );
  const wcu = Math.ceil(peakEventsPerSecond * Math.ceil(itemBytes / 1024) * 1.2);
  const writeHours = (inputs.activeHoursPerDay + 2) * DAYS_PER_MONTH;
  add(
    'DynamoDB',
    'history writes (provisioned, current table)',
    wcu * writeHours * prices.ddbWcuHour.usd,
    `${n(wcu)} WCU during ${inputs.activeHoursPerDay + 2} h a day`,
  );
  const tables = inputs.retentionYears * 12;
  const rcu = tables * 5 + Math.ceil((inputs.tenants * inputs.searchesPerTenantPerDay * 200) / 86400);
  add(
    'DynamoDB',
    'history reads (provisioned)',
    rcu * HOURS * prices.ddbRcuHour.usd,
    `${n(rcu)} RCU over ${tables} tables`,
  );

  const logGb = (v.requestsPerMonth * 1000) / GB;
  add('CloudWatch', 'logs, metrics, alarms', logGb * prices.cwLogsIngestGb.usd + 12, `${n(logGb)} GB logs`);
  return lines;
}
