/**
 * One phase of the nightly scale benchmark in its own process (its peak RSS is its own):
 *   tsx test/bench/nightly-scale-phase.ts generate DIR TENANTS EVENTS
 *   tsx test/bench/nightly-scale-phase.ts idle DIR                 (a process that only loads the code)
 *   tsx test/bench/nightly-scale-phase.ts discover DIR             (Discover: S3-style listing + work list)
 *   tsx test/bench/nightly-scale-phase.ts readdir DIR              (the file system asked directly)
 *   tsx test/bench/nightly-scale-phase.ts nightly DIR BATCH WIDTH  (the whole run through the ASL)
 *   tsx test/bench/nightly-scale-phase.ts bare DIR                 (DuckDB's bare COPY per tenant-day)
 *   tsx test/bench/nightly-scale-phase.ts small DIR K MODE         (small-tenant prototype, MODE each|one)
 * Prints one JSON line.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type MetricSink, runAction } from '../../functions/nightly/core.js';
import { FileObjectStore } from '../../shared/adapters/local/file-object-store.js';
import { PREFIX } from '../../shared/domain/layout.js';
import { LOCAL_LAKE_BUCKET, runNightlyDetailed } from '../../shared/local/workflow/run-nightly.js';
import { MEASURE_RUN_DATE, measureBareCopy } from '../fixtures/nightly-measure.js';
import { writeRawLake } from '../fixtures/raw-lake.js';
import { CountingFileStore } from './night-cost.js';
import { smallTenantStatements } from './small-tenants.js';

const [phase, dir, ...rest] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: nightly-scale-phase.ts PHASE DIR [...]');
const clock = { now: () => new Date('2026-11-24T01:00:00Z') };
const peak = () => process.resourceUsage().maxRSS * 1024;
const noMetrics: MetricSink = { addMetric: () => {} };
const duckdb = { memoryLimit: '1GB', threads: 2 };

async function sizeOf(store: FileObjectStore, prefix: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for await (const info of store.list(prefix)) {
    bytes += info.size;
    files++;
  }
  return { bytes, files };
}

if (phase === 'generate') {
  const [tenants, perDay] = rest.map(Number);
  const store = new FileObjectStore(join(dir, 'lake'));
  const lake = await writeRawLake(store, {
    tenants: tenants ?? 20_000,
    days: 1,
    lastDay: MEASURE_RUN_DATE,
    eventsPerTenantDay: perDay ?? 5,
    eventsPerObject: 50,
  });
  // measureBareCopy reads the line count from generated.json (test/fixtures/nightly-measure.ts).
  const events = [...lake.expected.values()]
    .flatMap((m) => [...m.values()])
    .reduce((n, byId) => n + byId.size, 0);
  await writeFile(
    join(dir, 'generated.json'),
    JSON.stringify({
      events,
      rawLines: lake.lines,
      rawObjects: lake.rawObjects,
      rawGzipBytes: lake.rawBytes,
    }),
  );
  console.log(
    JSON.stringify({
      tenants: lake.tenants.length,
      rawObjects: lake.rawObjects,
      rawBytes: lake.rawBytes,
      rawLines: lake.lines,
    }),
  );
} else if (phase === 'idle') {
  console.log(JSON.stringify({ ms: 0, peakRssBytes: peak() }));
} else if (phase === 'discover') {
  const store = new CountingFileStore(join(dir, 'lake'));
  const start = performance.now();
  const out = (await runAction(
    { action: 'discover', input: { date: MEASURE_RUN_DATE } },
    { store, bucket: LOCAL_LAKE_BUCKET, clock, metrics: noMetrics, defaultMaxConcurrency: 8 },
  )) as { tenants: number; targets: number; workList: { key: string } };
  const ms = performance.now() - start;
  const workList = (await store.get(out.workList.key))?.byteLength ?? 0;
  console.log(
    JSON.stringify({
      ms,
      peakRssBytes: peak(),
      tenants: out.tenants,
      targets: out.targets,
      workListBytes: workList,
      listCalls: store.calls.listPrefixes,
    }),
  );
} else if (phase === 'readdir') {
  const root = join(dir, 'lake', PREFIX.raw);
  const start = performance.now();
  let targets = 0;
  for (const tenant of await readdir(root)) targets += (await readdir(join(root, tenant))).length;
  console.log(JSON.stringify({ ms: performance.now() - start, peakRssBytes: peak(), targets }));
} else if (phase === 'nightly') {
  const [batchSize, width] = rest.map(Number);
  const store = new CountingFileStore(join(dir, 'lake'));
  const raw = await sizeOf(store, PREFIX.raw);
  const before = { ...store.calls };
  let children = 0;
  let lastReport = performance.now();
  const start = performance.now();
  const run = await runNightlyDetailed({
    store,
    dataDir: dir,
    date: MEASURE_RUN_DATE,
    clock,
    duckdb,
    batchSize: batchSize ?? 1,
    maxConcurrency: width ?? 8,
    onProgress: (done, total) => {
      children = total;
      if (performance.now() - lastReport > 15_000 || done === total) {
        lastReport = performance.now();
        process.stderr.write(`    nightly: ${done}/${total} child executions\n`);
      }
    },
  });
  const ms = performance.now() - start;
  const calls = Object.fromEntries(
    Object.entries(store.calls).map(([k, v]) => [k, v - (before[k as keyof typeof before] ?? 0)]),
  );
  const parquet = await sizeOf(store, PREFIX.parquet);
  const attempts = Object.values(run.attempts).reduce((n, a) => n + a, 0);
  console.log(
    JSON.stringify({
      ms,
      peakRssBytes: peak(),
      summary: { ...run.summary, failures: run.summary.failures.slice(0, 3) },
      children,
      convertAttempts: attempts,
      rawBytes: raw.bytes,
      parquetBytes: parquet.bytes,
      parquetFiles: parquet.files,
      calls,
    }),
  );
} else if (phase === 'bare') {
  console.log(JSON.stringify(await measureBareCopy(dir, duckdb)));
} else if (phase === 'small') {
  const [k, mode] = [Number(rest[0] ?? 100), rest[1] ?? 'each'];
  console.log(
    JSON.stringify({ ...(await smallTenantStatements(dir, k, mode === 'one')), peakRssBytes: peak() }),
  );
} else {
  throw new Error(`unknown phase ${phase}`);
}
