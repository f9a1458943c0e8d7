/**
 * One phase of the nightly benchmark in its own process, so its peak RSS is its own:
 *   tsx test/bench/nightly-phase.ts generate DIR TENANTS DAYS EVENTS_PER_TENANT_DAY
 *   tsx test/bench/nightly-phase.ts bare DIR [THREADS]       (DuckDB's bare JSON -> Parquet COPY, the conversion's read and layout)
 *   tsx test/bench/nightly-phase.ts bare-plain DIR [THREADS] (the same, ts as text and DuckDB's default writer)
 *   tsx test/bench/nightly-phase.ts nightly DIR [THREADS]    (the nightly workflow, locally)
 * DuckDB: memory_limit 1 GB, THREADS threads (default 2).
 * Prints one JSON line.
 */
import { generateLake, measureBareCopy, measureNightly } from '../fixtures/nightly-measure.js';

const [phase, dir, ...rest] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: nightly-phase.ts generate|bare|bare-plain|nightly DIR [...]');
const duckdb = { memoryLimit: '1GB', threads: Number(phase === 'generate' ? 2 : (rest[0] ?? 2)) };
if (phase === 'generate') {
  const [tenants, days, perDay] = rest.map(Number);
  console.log(
    JSON.stringify(
      await generateLake(dir, {
        tenants: tenants ?? 6,
        days: days ?? 2,
        eventsPerTenantDay: perDay ?? 20000,
      }),
    ),
  );
} else if (phase === 'bare' || phase === 'bare-plain') {
  console.log(JSON.stringify(await measureBareCopy(dir, duckdb, phase === 'bare' ? 'same-layout' : 'plain')));
} else if (phase === 'nightly') {
  const result = await measureNightly(dir, duckdb);
  if (result.summary.failed > 0) throw new Error(`nightly failed for ${result.summary.failed} tenant(s)`);
  console.log(JSON.stringify({ ...result, summary: undefined }));
} else {
  throw new Error(`unknown phase ${phase}`);
}
