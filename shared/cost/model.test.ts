/**
 * The cost model's arithmetic against cases computed by hand (the comments show the sums), and
 * the reading of `make bench` results. Prices are taken from prices.ts, so the tests pin the
 * formulas, not the price list.
 */
import { describe, expect, it } from '@jest/globals';
import { type CostInputs, DAYS_PER_MONTH, DEFAULT_FIGURES, figuresFromBench, tenantSizes } from './inputs.js';
import { legacyMonthly } from './legacy-model.js';
import { leverEffects } from './levers.js';
import {
  athenaBilledBytes,
  DEFAULT_OPTIONS,
  firehoseBilledBytes,
  oplakeMonthly,
  total,
} from './oplake-model.js';
import { priceUsage, unitCosts } from './per-tenant.js';
import { PRICES } from './prices.js';
import { buildCostReport } from './report.js';

/** One tenant of 10 PCs, 1,200 events a PC a day, a post every 10 minutes over 10 hours. */
const SMALL: CostInputs = {
  pcs: 10,
  eventsPerPcPerDay: 1200,
  tenants: 1,
  tenantSizeSkew: 0,
  postIntervalMinutes: 10,
  activeHoursPerDay: 10,
  searchesPerTenantPerDay: 2,
  searchShapes: [{ name: 'one day', share: 1, days: 1, bytesPerEvent: 100 }],
  retentionYears: 1,
  rawWindowDays: 7,
  region: 'ap-northeast-1',
};
const line = (lines: ReturnType<typeof oplakeMonthly>, item: string) => {
  const found = lines.find((l) => l.item === item);
  if (!found) throw new Error(`no line ${item}`);
  return found.usd;
};

describe('cost model arithmetic', () => {
  it('bills Athena at least 10 MB a query and Firehose records in 5 KB steps', () => {
    expect(athenaBilledBytes(1)).toBe(10_000_000);
    expect(athenaBilledBytes(25_000_000)).toBe(25_000_000);
    expect(firehoseBilledBytes(1)).toBe(5120);
    expect(firehoseBilledBytes(5120)).toBe(5120);
    expect(firehoseBilledBytes(5121)).toBe(10_240);
    expect(firehoseBilledBytes(12 * 1024)).toBe(15 * 1024); // the pricing page's 12 KB -> 15 KB
  });

  it('spreads PCs over tenants: every tenant has one, the sum is the fleet, Zipf puts the most first', () => {
    expect(tenantSizes(10, 1, 0.8)).toEqual([10]);
    expect(tenantSizes(9, 3, 0)).toEqual([3, 3, 3]);
    const sizes = tenantSizes(100_000, 2000, 0.8);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(100_000);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(sizes[0]).toBeGreaterThan(sizes[1999] ?? 0);
  });

  it('prices the ingest requests, idempotency, Firehose and Athena lines of a small fleet as by hand', () => {
    const lines = oplakeMonthly(SMALL, DEFAULT_FIGURES);
    const D = DAYS_PER_MONTH; // 30.4167
    // 10 PCs x (600 min / 10) = 600 requests a day; 12,000 events, 20 a request.
    const requests = 600 * D;
    expect(line(lines, 'ingest requests')).toBeCloseTo(requests * 0.2e-6, 10);
    // ingest: 25 ms + 0.02 ms x 20 events = 25.4 ms at 1 GB (arm64)
    expect(line(lines, 'ingest duration')).toBeCloseTo(requests * 0.0254 * PRICES.lambdaArmGbSecond.usd, 10);
    // idempotency: 2 writes a request, on-demand
    expect(line(lines, 'idempotency (on-demand)')).toBeCloseTo(requests * 2 * PRICES.ddbWriteRequest.usd, 10);
    // Firehose: one record a request of 20 x 420 B = 8,400 B -> billed 10,240 B
    expect(line(lines, 'ingestion (5 KB rounding)')).toBeCloseTo(
      ((requests * 10_240) / 1e9) * PRICES.firehoseIngestGb.usd,
      10,
    );
    // conversion: 12,000 events x 60 B gzip = 720 KB, billed 10 MB, once a day
    expect(line(lines, 'nightly conversion (CTAS)')).toBeCloseTo(((10e6 * D) / 1e12) * 5, 10);
    // searches: 2 a day over one day of 12,000 events x 100 B = 1.2 MB each, billed 10 MB
    expect(line(lines, 'searches')).toBeCloseTo(((2 * 10e6 * D) / 1e12) * 5, 10);
    // storage: 12,000 x 22 B x 365 days Parquet + 12,000 x 60 B x 8 days raw, Standard
    expect(line(lines, 'storage Standard')).toBeCloseTo(
      ((12_000 * 22 * 365 + 12_000 * 60 * 8) / 1e9) * PRICES.s3StandardGbMonth.usd,
      10,
    );
  });

  it('turns the levers the way their arithmetic says', () => {
    const base = oplakeMonthly(SMALL, DEFAULT_FIGURES);
    const unpacked = oplakeMonthly(SMALL, DEFAULT_FIGURES, { ...DEFAULT_OPTIONS, packing: false });
    // one event a record: 20 records billed 5,120 B each instead of one of 8,400 B billed 10,240 B
    expect(line(unpacked, 'ingestion (5 KB rounding)') / line(base, 'ingestion (5 KB rounding)')).toBeCloseTo(
      10,
      6,
    );
    const none = oplakeMonthly(SMALL, DEFAULT_FIGURES, { ...DEFAULT_OPTIONS, idempotency: 'none' });
    expect(none.some((l) => l.item.startsWith('idempotency'))).toBe(false);
    const effects = leverEffects(SMALL, DEFAULT_FIGURES);
    const slower = effects.find((e) => e.change === '5 -> 15 min');
    expect(slower?.usd).toBeCloseTo(
      total(oplakeMonthly({ ...SMALL, postIntervalMinutes: 15 }, DEFAULT_FIGURES)),
      10,
    );
  });

  it('sizes the 2020 design by hand: shards, DynamoDB history bytes', () => {
    const inputs: CostInputs = {
      ...SMALL,
      pcs: 100_000,
      eventsPerPcPerDay: 2000,
      tenants: 2000,
      retentionYears: 5,
    };
    const lines = legacyMonthly(inputs, DEFAULT_FIGURES);
    // 200M events over 10 h = 5,556/s, x2 peak = 11,111/s -> 11.1 k records/s / 1,000 x 1.25 = 14 shards
    expect(lines.find((l) => l.item === 'shard-hours')?.detail).toMatch(/^14 shards/);
    // 200M x 1,825 days x (260 + 200) B
    const storage = lines.find((l) => l.item === 'history storage (time-split tables)')?.usd ?? 0;
    expect(storage).toBeCloseTo(((200e6 * 1825 * 460) / 1e9) * PRICES.ddbStorageGbMonth.usd, 4);
  });

  it('says whether the goal is met without tuning: the ratio is the two totals', () => {
    const report = buildCostReport(
      { ...SMALL, pcs: 100_000, eventsPerPcPerDay: 2000, tenants: 2000 },
      DEFAULT_FIGURES,
    );
    expect(report.ratio).toBeCloseTo(report.oplakeUsd / report.legacyUsd, 12);
    expect(report.sweep.map((p) => p.pcs)).toEqual([1_000, 5_000, 10_000, 50_000, 100_000, 250_000, 500_000]);
  });
});

describe('figures from make bench', () => {
  it('takes measured figures and keeps defaults for the rest', () => {
    const figures = figuresFromBench({
      when: '2026-11-30T10:00:00Z',
      results: [
        { bench: 'ingest', case: '1-event JSON', candidate: { rate: 1, extra: { p50Ms: 2 } } },
        {
          bench: 'ingest',
          case: '500-event JSON',
          candidate: {
            rate: 1,
            extra: {
              p50Ms: 12,
              jsonBytesPerEvent: 300,
              storedLineBytesPerEvent: 450,
              storedGzipBytesPerEvent: 50,
            },
          },
        },
        { bench: 'nightly', case: 'x', candidate: { rate: 1, extra: { parquetToRawGzip: '0.40' } } },
        {
          bench: 'search',
          case: 'newest 100 of a day (50 PCs)',
          candidate: { rate: 1, extra: { bytesRead: 4_000_000 } },
        },
        // Athena's bill when the bench gives it, not DuckDB's (smaller) read.
        {
          bench: 'search',
          case: '30 days, text',
          candidate: { rate: 1, extra: { bytesRead: 600_000, athenaBytes: 12_000_000 } },
        },
      ],
    });
    expect(figures.bytesPerEvent.value).toBe(300);
    expect(figures.rawGzipBytesPerEvent.value).toBe(50);
    expect(figures.parquetBytesPerEvent.value).toBeCloseTo(20, 10);
    expect(figures.ingestMsPerRequest.value).toBe(2);
    expect(figures.ingestMsPerEvent.value).toBeCloseTo(10 / 499, 12);
    expect(figures.searchBytesPerEvent['search 1 day']?.value).toBe(40); // 4 MB / (50 PCs x 2,000 events)
    expect(figures.searchBytesPerEvent['search 30 days, text']?.value).toBe(20); // 12 MB / (30 days x 10 PCs x 2,000)
    expect(figures.splitEventsPerSecond).toEqual(DEFAULT_FIGURES.splitEventsPerSecond);
    expect(figuresFromBench(null)).toEqual(DEFAULT_FIGURES);
  });
});

describe('pricing usage per tenant', () => {
  it('charges events, searches (10 MB minimum), conversions and storage with the unit costs', () => {
    const units = unitCosts({ ...SMALL, pcs: 1000, tenants: 20 }, DEFAULT_FIGURES);
    const [cost] = priceUsage(
      [
        {
          tenantId: 'acme-corp',
          day: '2026-11-24',
          eventsAccepted: 1000,
          eventsRejected: 3,
          searches: 2,
          scannedBytes: 1000,
          conversions: 1,
          convertedRows: 1000,
          rawBytes: 60_000,
          parquetBytes: 22_000,
        },
        {
          // a partition day with bytes stored and no activity: not a day of activity
          tenantId: 'acme-corp',
          day: '2026-11-20',
          eventsAccepted: 0,
          eventsRejected: 0,
          searches: 0,
          scannedBytes: 0,
          conversions: 0,
          convertedRows: 0,
          rawBytes: 1_000,
          parquetBytes: 0,
        },
      ],
      units,
      60,
    );
    expect(cost?.ingestUsd).toBeCloseTo(1000 * units.perEvent, 12);
    expect(cost?.searchUsd).toBeCloseTo(2 * units.perSearch + 2 * 10e6 * (5 / 1e12), 12);
    expect(cost?.conversionUsd).toBeCloseTo(units.perConversion + 10e6 * (5 / 1e12), 12);
    expect(cost?.days).toBe(1);
    expect(cost?.storageUsdMonth).toBeCloseTo((83_000 / 1e9) * 0.025, 12);
    expect(cost?.monthlyUsd).toBeCloseTo(
      ((cost?.ingestUsd ?? 0) + (cost?.searchUsd ?? 0) + (cost?.conversionUsd ?? 0)) * DAYS_PER_MONTH +
        (cost?.storageUsdMonth ?? 0),
      12,
    );
  });
});
