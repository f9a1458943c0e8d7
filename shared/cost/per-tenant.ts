/**
 * Prices metered usage (shared/usage) with the same model: unit costs are the oplake month at
 * the modelled fleet divided by what drives each line (events, stored bytes, searches,
 * conversions), plus each tenant's own Athena bytes with the 10 MB minimum per query.
 */
import type { UsageRow } from '../usage/read-usage.js';
import { type CostInputs, DAYS_PER_MONTH, type Figures } from './inputs.js';
import { athenaBilledBytes, type CostLine, oplakeMonthly, volumes } from './oplake-model.js';
import { PRICES } from './prices.js';

export interface UnitCosts {
  /** Everything on the ingest path (Lambda ingest/split, SQS, idempotency, Firehose, logs...) per event. */
  perEvent: number;
  /** Lambda + registry + S3 requests per search, before Athena's bytes. */
  perSearch: number;
  /** Lambda + workflow + S3 requests per tenant-day conversion, before Athena's bytes. */
  perConversion: number;
  perStoredGbMonth: number;
  perScannedByte: number;
}

const SEARCH_ITEMS = /^(search (requests|duration)|query registry)$/;
const CONVERSION_ITEMS = /^(ctas-runner|nightly) |nightly workflow/;

export function unitCosts(inputs: CostInputs, figures: Figures): UnitCosts {
  const lines = oplakeMonthly(inputs, figures);
  const v = volumes(inputs);
  const searches = inputs.tenants * inputs.searchesPerTenantPerDay * DAYS_PER_MONTH;
  const conversions = inputs.tenants * DAYS_PER_MONTH;
  const sum = (pick: (l: CostLine) => boolean) => lines.filter(pick).reduce((s, l) => s + l.usd, 0);
  const isSearch = (l: CostLine) => SEARCH_ITEMS.test(l.item);
  const isConversion = (l: CostLine) => CONVERSION_ITEMS.test(l.item);
  const isOther = (l: CostLine) =>
    l.service === 'Athena' ||
    l.item.startsWith('storage') ||
    l.item.includes('retrieval') ||
    isSearch(l) ||
    isConversion(l);
  return {
    perEvent: sum((l) => !isOther(l)) / v.eventsPerMonth,
    perSearch: sum(isSearch) / searches,
    perConversion: sum(isConversion) / conversions,
    perStoredGbMonth: PRICES.s3StandardGbMonth.usd,
    perScannedByte: PRICES.athenaTbScanned.usd / 1e12,
  };
}

export interface TenantCost {
  tenantId: string;
  days: number;
  events: number;
  searches: number;
  ingestUsd: number;
  searchUsd: number;
  conversionUsd: number;
  /** Storage of the bytes held now, for one month. */
  storageUsdMonth: number;
  /** (ingest + search + conversion) scaled from the days with activity to a month, plus storage. */
  monthlyUsd: number;
}

export function priceUsage(
  rows: readonly UsageRow[],
  units: UnitCosts,
  rawGzipBytesPerEvent: number,
): TenantCost[] {
  const byTenant = new Map<string, UsageRow[]>();
  for (const r of rows) byTenant.set(r.tenantId, [...(byTenant.get(r.tenantId) ?? []), r]);
  return [...byTenant.entries()]
    .map(([tenantId, rs]) => {
      // Days with metered activity (storage rows are by partition day, not activity).
      const days = new Set(
        rs
          .filter((r) => r.eventsAccepted + r.eventsRejected + r.searches + r.conversions > 0)
          .map((r) => r.day),
      ).size;
      const events = rs.reduce((s, r) => s + r.eventsAccepted, 0);
      const searches = rs.reduce((s, r) => s + r.searches, 0);
      const scanned = rs.reduce((s, r) => s + r.scannedBytes, 0);
      const conversions = rs.reduce((s, r) => s + r.conversions, 0);
      const stored = rs.reduce((s, r) => s + r.rawBytes + r.parquetBytes, 0);
      const ingestUsd = events * units.perEvent;
      // Per-query bytes are not kept: the 10 MB minimum is applied to the average query.
      const searchUsd =
        searches * units.perSearch +
        (searches > 0 ? searches * athenaBilledBytes(scanned / searches) * units.perScannedByte : 0);
      const rawPerConversion = conversions > 0 ? (events * rawGzipBytesPerEvent) / conversions : 0;
      const conversionUsd =
        conversions * (units.perConversion + athenaBilledBytes(rawPerConversion) * units.perScannedByte);
      const storageUsdMonth = (stored / 1e9) * units.perStoredGbMonth;
      const scale = days > 0 ? DAYS_PER_MONTH / days : 0;
      return {
        tenantId,
        days,
        events,
        searches,
        ingestUsd,
        searchUsd,
        conversionUsd,
        storageUsdMonth,
        monthlyUsd: (ingestUsd + searchUsd + conversionUsd) * scale + storageUsdMonth,
      };
    })
    .sort((a, b) => b.monthlyUsd - a.monthlyUsd);
}
