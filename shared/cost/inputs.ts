/**
 * What the cost model is fed: the fleet (inputs) and the measured figures (from `make bench`'s
 * latest results, test/bench/results/latest.json), each with a default written down here for
 * when no results exist. `figuresFromBench` says, per figure, where it came from.
 */
export const DAYS_PER_MONTH = 365 / 12;

export interface SearchShape {
  name: string;
  /** Share of the searches that have this shape (the shares add up to 1). */
  share: number;
  /** Days of data the query covers. */
  days: number;
  /** Bytes read per event in range (measured: files touched / events in range). */
  bytesPerEvent: number;
}

export interface CostInputs {
  pcs: number;
  eventsPerPcPerDay: number;
  tenants: number;
  /** Zipf exponent of tenant sizes (0: all equal; 1: the largest tenant is ~1/ln(N) of the fleet). */
  tenantSizeSkew: number;
  /** Minutes between two posts of an agent while its PC is on. */
  postIntervalMinutes: number;
  /** Hours a day a PC is on and sending (a Japanese office day with overtime). */
  activeHoursPerDay: number;
  searchesPerTenantPerDay: number;
  searchShapes: SearchShape[];
  retentionYears: number;
  /** Days converted raw is kept in archive/raw/ (the raw window). */
  rawWindowDays: number;
  region: string;
}

export interface Figure {
  value: number;
  source: string;
}

/** Figures measured by `make bench` (or their defaults). */
export interface Figures {
  /** JSON bytes of one event as an agent sends it. */
  bytesPerEvent: Figure;
  /** Bytes of one stored JSON line (what split hands to Firehose). */
  storedLineBytesPerEvent: Figure;
  /** Gzip bytes of one stored line in raw/. */
  rawGzipBytesPerEvent: Figure;
  /** Parquet bytes of one event after conversion. */
  parquetBytesPerEvent: Figure;
  /** Ingest handler milliseconds per request, fixed part and per event. */
  ingestMsPerRequest: Figure;
  ingestMsPerEvent: Figure;
  /** Events per second split handles on one core. */
  splitEventsPerSecond: Figure;
  /** Search bytes read per event in range, per shape name. */
  searchBytesPerEvent: Record<string, Figure>;
}

const DEFAULT = 'default (no bench result)';

export const DEFAULT_FIGURES: Figures = {
  bytesPerEvent: { value: 260, source: DEFAULT },
  storedLineBytesPerEvent: { value: 420, source: DEFAULT },
  rawGzipBytesPerEvent: { value: 60, source: DEFAULT },
  parquetBytesPerEvent: { value: 22, source: `${DEFAULT}; FACTS.md: 20,000 events -> ~430 KB` },
  ingestMsPerRequest: { value: 25, source: DEFAULT },
  ingestMsPerEvent: { value: 0.02, source: DEFAULT },
  splitEventsPerSecond: { value: 60_000, source: DEFAULT },
  searchBytesPerEvent: {},
};

/** The default search mix: what tenant administrators run in a day. */
export function defaultSearchShapes(figures: Figures): SearchShape[] {
  const at = (name: string, fallback: number) => figures.searchBytesPerEvent[name]?.value ?? fallback;
  const parquet = figures.parquetBytesPerEvent.value;
  return [
    { name: 'search 1 day', share: 0.4, days: 1, bytesPerEvent: at('search 1 day', parquet * 2) },
    { name: 'search 7 days, user', share: 0.3, days: 7, bytesPerEvent: at('search 7 days, user', parquet) },
    {
      name: 'search 30 days, text',
      share: 0.15,
      days: 30,
      bytesPerEvent: at('search 30 days, text', parquet),
    },
    { name: 'aggregate 30 days', share: 0.1, days: 30, bytesPerEvent: at('aggregate 30 days', parquet) },
    {
      name: 'search 1 year, domain',
      share: 0.05,
      days: 365,
      bytesPerEvent: at('search 1 year, domain', parquet),
    },
  ];
}

export function defaultInputs(figures: Figures = DEFAULT_FIGURES, pcs = 100_000): CostInputs {
  return {
    pcs,
    eventsPerPcPerDay: 2000,
    tenants: Math.max(1, Math.round(pcs / 50)),
    tenantSizeSkew: 0.8,
    postIntervalMinutes: 5,
    activeHoursPerDay: 10,
    searchesPerTenantPerDay: 20,
    searchShapes: defaultSearchShapes(figures),
    retentionYears: 5,
    rawWindowDays: 7,
    region: 'ap-northeast-1',
  };
}

/** PCs per tenant, largest first: Zipf with exponent `skew`, rounded, at least 1 each, summing to `pcs`. */
export function tenantSizes(pcs: number, tenants: number, skew: number): number[] {
  const n = Math.max(1, Math.min(tenants, pcs));
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** skew);
  const total = weights.reduce((a, b) => a + b, 0);
  const spare = pcs - n; // every tenant has at least one PC
  const sizes = weights.map((w) => 1 + Math.floor((w / total) * spare));
  let left = pcs - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % n, left--) sizes[i] = (sizes[i] ?? 0) + 1;
  return sizes;
}

// ---------------------------------------------------------------------------------------------
// Reading `make bench` results

interface BenchMeasurement {
  rate?: number;
  extra?: Record<string, number | string>;
}
interface BenchCase {
  bench?: string;
  case?: string;
  candidate?: BenchMeasurement;
}
interface BenchReport {
  when?: string;
  results?: BenchCase[];
}

/**
 * Which search-benchmark question (test/bench/search-shapes.ts) measures each modelled shape, and
 * the events in range of the tenant it asks (test/bench/search-dataset.ts: 2,000 events a PC a
 * day; large-01 has 50 PCs, mid-01 10). Searches read the same columns per event whatever the
 * range, so the 1-year domain search takes the 30-day domain question's bytes per event.
 */
const SEARCH_CASES: Record<string, { bench: string; events: number }> = {
  'search 1 day': { bench: 'newest 100 of a day (50 PCs)', events: 1 * 50 * 2000 },
  'search 7 days, user': { bench: '30 days, user', events: 30 * 10 * 2000 },
  'search 30 days, text': { bench: '30 days, text', events: 30 * 10 * 2000 },
  'aggregate 30 days': { bench: 'aggregate 30 days by app (duration)', events: 30 * 10 * 2000 },
  'search 1 year, domain': { bench: '30 days, domain', events: 30 * 10 * 2000 },
};

function num(value: number | string | undefined): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Takes what `make bench` measured; everything it did not measure keeps its default. */
export function figuresFromBench(report: unknown): Figures {
  const figures: Figures = { ...DEFAULT_FIGURES, searchBytesPerEvent: {} };
  if (typeof report !== 'object' || report === null) return figures;
  const { when, results } = report as BenchReport;
  if (!Array.isArray(results)) return figures;
  const src = (what: string) => `make bench ${when ?? ''} (${what})`.replace('  ', ' ');
  const find = (bench: string, name: string) =>
    results.find((r) => (r.bench ?? '').startsWith(bench) && (r.case ?? '').startsWith(name));

  const ingestBig = find('ingest', '500-event JSON');
  const ingestOne = find('ingest', '1-event JSON');
  const bytes = num(ingestBig?.candidate?.extra?.jsonBytesPerEvent);
  if (bytes) figures.bytesPerEvent = { value: bytes, source: src('ingest, 500-event JSON body') };
  const line = num(ingestBig?.candidate?.extra?.storedLineBytesPerEvent);
  if (line) figures.storedLineBytesPerEvent = { value: line, source: src('ingest, stored lines') };
  const gz = num(ingestBig?.candidate?.extra?.storedGzipBytesPerEvent);
  if (gz) figures.rawGzipBytesPerEvent = { value: gz, source: src('ingest, gzip of stored lines') };
  const p50One = num(ingestOne?.candidate?.extra?.p50Ms);
  const p50Big = num(ingestBig?.candidate?.extra?.p50Ms);
  if (p50One && p50Big) {
    figures.ingestMsPerRequest = { value: p50One, source: src('ingest p50, 1-event batch, local') };
    figures.ingestMsPerEvent = {
      value: Math.max(0, (p50Big - p50One) / 499),
      source: src('ingest p50 slope, 1 -> 500 events, local'),
    };
  }
  const ratio = num(results.find((r) => r.bench === 'nightly')?.candidate?.extra?.parquetToRawGzip);
  if (ratio)
    figures.parquetBytesPerEvent = {
      value: ratio * figures.rawGzipBytesPerEvent.value,
      source: src(`nightly Parquet/raw gzip = ${ratio} x raw gzip bytes`),
    };
  const split = num(find('split', '')?.candidate?.rate);
  if (split) figures.splitEventsPerSecond = { value: split, source: src('split, one core') };
  for (const [shape, { bench, events }] of Object.entries(SEARCH_CASES)) {
    const measured = results.find((r) => r.bench === 'search' && r.case === bench)?.candidate?.extra;
    // Athena's bill, not DuckDB's read (a newest-first page stops early on DuckDB, not on Athena).
    const read = num(measured?.athenaBytes) ?? num(measured?.bytesRead);
    if (read)
      figures.searchBytesPerEvent[shape] = {
        value: read / events,
        source: src(
          `search "${bench}": Athena bytes (athenaBytes, else bytes read) / ${events.toLocaleString('en-US')} events in range`,
        ),
      };
  }
  return figures;
}
