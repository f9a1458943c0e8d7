/**
 * `make bench`: runs every test/bench/*.bench.ts (or those named: `npx tsx test/bench/run.ts split`),
 * shows progress on stderr, writes test/bench/results/latest.json and latest.svg, prints a table.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CaseResult, formatTable, ratioChart } from './harness.js';

export interface Bench {
  run(progress: (message: string) => void): Promise<CaseResult[]>;
}

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
const selected = files.filter((f) => wanted.length === 0 || wanted.includes(f.replace('.bench.ts', '')));
if (selected.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ')}; have: ${files.join(', ')}`);
  process.exit(2);
}

const progress = (message: string) =>
  process.stderr.write(`  ${new Date().toISOString().slice(11, 19)} ${message}\n`);
const results: CaseResult[] = [];
for (const file of selected) {
  progress(`starting ${file}`);
  const bench = (await import(join(here, file))) as Bench;
  results.push(...(await bench.run(progress)));
}

const out = join(here, 'results');
await mkdir(out, { recursive: true });
const report = {
  when: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  results,
};
await writeFile(join(out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(join(out, 'latest.svg'), ratioChart(results));
console.log(formatTable(results));
console.log(
  `\nresults: ${join('test/bench/results', 'latest.json')}, chart: ${join('test/bench/results', 'latest.svg')}`,
);
