/**
 * `make cost` (npx tsx shared/cost/main.ts): the cost model fed by `make bench`'s latest
 * results (test/bench/results/latest.json; defaults when absent). Prints the tables, writes
 * test/bench/results/cost.{json,svg,html}.
 *
 *   make cost ARGS="--pcs 100000 --events 2000 --post-interval 5"
 *   make cost ARGS="--per-tenant [--data-dir .oplake] [--from D --to D]"   (usage from the lake, priced)
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { FileObjectStore } from '../adapters/local/file-object-store.js';
import { parseUsageQuery, readUsage } from '../usage/read-usage.js';
import { costChartSvg, costPageHtml } from './chart.js';
import { defaultInputs, figuresFromBench } from './inputs.js';
import { priceUsage, unitCosts } from './per-tenant.js';
import { PRICES_CHECKED, PRICES_REGION } from './prices.js';
import { buildCostReport, formatReport, formatTenantCosts } from './report.js';

const RESULTS = 'test/bench/results';
const positive = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
};

const program = new Command('cost')
  .option('--pcs <n>', 'PCs in the fleet', positive('pcs'), 100_000)
  .option('--events <n>', 'events a PC a day', positive('events'), 2000)
  .option('--tenants <n>', 'tenants (default: one per 50 PCs)', positive('tenants'))
  .option('--post-interval <min>', 'minutes between two posts of an agent', positive('post-interval'), 5)
  .option('--searches <n>', 'searches a tenant a day', positive('searches'), 20)
  .option('--retention-years <n>', 'years of history kept', positive('retention-years'), 5)
  .option('--bench <file>', 'bench results to take figures from', join(RESULTS, 'latest.json'))
  .option('--per-tenant', 'price the usage metered in the local lake, per tenant')
  .option(
    '--data-dir <dir>',
    'local data directory (for --per-tenant)',
    process.env.OPLAKE_DATA_DIR ?? './.oplake',
  )
  .option('--from <day>', 'first UTC day of usage (for --per-tenant)')
  .option('--to <day>', 'last UTC day of usage (for --per-tenant)')
  .parse();
const o = program.opts<{
  pcs: number;
  events: number;
  tenants?: number;
  postInterval: number;
  searches: number;
  retentionYears: number;
  bench: string;
  perTenant?: boolean;
  dataDir: string;
  from?: string;
  to?: string;
}>();

const benchReport: unknown = existsSync(o.bench) ? JSON.parse(readFileSync(o.bench, 'utf8')) : null;
const figures = figuresFromBench(benchReport);
const inputs = {
  ...defaultInputs(figures, o.pcs),
  eventsPerPcPerDay: o.events,
  postIntervalMinutes: o.postInterval,
  searchesPerTenantPerDay: o.searches,
  retentionYears: o.retentionYears,
  ...(o.tenants ? { tenants: Math.round(o.tenants) } : {}),
};
console.log(
  `oplake cost model, prices of ${PRICES_REGION} checked ${PRICES_CHECKED} (shared/cost/prices.ts); ` +
    `figures from ${benchReport ? o.bench : 'defaults (run make bench first for measured ones)'}\n`,
);

if (o.perTenant) {
  const query = parseUsageQuery({ from: o.from, to: o.to }, new Date());
  const rows = await readUsage(new FileObjectStore(join(o.dataDir, 'lake')), query);
  if (rows.length === 0) console.log(`no usage in ${o.dataDir} between ${query.from} and ${query.to}`);
  else
    console.log(
      formatTenantCosts(
        priceUsage(rows, unitCosts(inputs, figures), figures.rawGzipBytesPerEvent.value),
        query.from,
        query.to,
      ),
    );
} else {
  const report = buildCostReport(inputs, figures);
  const sections = formatReport(report);
  console.log(sections.join('\n\n'));
  const title = `oplake vs the 2020 design: USD a month against fleet size (${inputs.eventsPerPcPerDay} events/PC/day, ${PRICES_REGION}, prices ${PRICES_CHECKED})`;
  const svg = costChartSvg(report.sweep, title);
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, 'cost.svg'), svg);
  await writeFile(join(RESULTS, 'cost.html'), costPageHtml(svg, sections, title));
  await writeFile(join(RESULTS, 'cost.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten: ${RESULTS}/cost.json, cost.svg, cost.html`);
}
