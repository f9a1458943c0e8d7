/**
 * A tiny benchmark harness: each case measures a candidate and its baseline in the same run
 * (interleaved rounds, median of each), so results are ratios that survive a noisy, shared
 * machine. Nothing here asserts a time; results go to JSON and a table (and a chart).
 */
import { performance } from 'node:perf_hooks';

export interface Measurement {
  /** Median seconds per round. */
  seconds: number;
  /** Work units per round (events, rows, queries). */
  units: number;
  /** Units per second at the median. */
  rate: number;
  /** Highest RSS seen during the rounds, bytes. */
  peakRssBytes: number;
  extra?: Record<string, number | string>;
}

export interface CaseResult {
  bench: string;
  case: string;
  unit: string;
  candidate: Measurement;
  baseline: Measurement;
  baselineName: string;
  /** candidate rate / baseline rate (>1: candidate faster). */
  ratio: number;
}

export interface Round {
  units: number;
  extra?: Record<string, number | string>;
  /** A round that ran in a child process reports its own time and peak RSS. */
  seconds?: number;
  peakRssBytes?: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function geomean(values: readonly number[]): number {
  return Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);
}

/** One question's median time as a Measurement (a query a unit), with the bytes it read. */
/** Table cells of the query benches: milliseconds, and bytes as MB (KB below 1 MiB for `formatSize`). */
export const formatMs = (v: number): string => `${Math.round(v).toLocaleString('en-US')} ms`;
export const formatMb = (v: number): string => `${(v / 1048576).toFixed(1)} MB`;
export const formatSize = (v: number): string =>
  v >= 1048576 ? formatMb(v) : `${Math.round(v / 1024).toLocaleString('en-US')} KB`;

export function queryMeasurement(ms: number, bytes?: number): Measurement {
  return {
    seconds: ms / 1000,
    units: 1,
    rate: 1000 / ms,
    peakRssBytes: 0,
    ...(bytes === undefined ? {} : { extra: { bytesRead: bytes } }),
  };
}

async function timed(
  fn: () => Promise<Round> | Round,
  peak: { rss: number },
): Promise<{ seconds: number; round: Round }> {
  let local = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    local = Math.max(local, process.memoryUsage.rss());
  }, 20);
  const started = performance.now();
  try {
    const round = await fn();
    local = Math.max(local, process.memoryUsage.rss());
    // A round run in a child process reports its own peak; this process's is not the measure.
    peak.rss = Math.max(peak.rss, round.peakRssBytes ?? local);
    return { seconds: round.seconds ?? (performance.now() - started) / 1000, round };
  } finally {
    clearInterval(sampler);
  }
}

/** Runs `npx tsx <script> <args>` and parses the last stdout line as JSON. */
export async function inChild<T>(script: string, args: readonly string[]): Promise<T> {
  const { spawn } = await import('node:child_process');
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`${script} ${args.join(' ')} exited with ${code}`));
      else resolve(JSON.parse(last) as T);
    });
  });
}

/** Runs candidate and baseline alternately `rounds` times (after one warm-up each). */
export async function compare(options: {
  bench: string;
  name: string;
  unit: string;
  rounds?: number;
  candidate: () => Promise<Round> | Round;
  baselineName: string;
  baseline: () => Promise<Round> | Round;
  progress?: (message: string) => void;
}): Promise<CaseResult> {
  const rounds = options.rounds ?? 5;
  const cand: number[] = [];
  const base: number[] = [];
  const candPeak = { rss: 0 };
  const basePeak = { rss: 0 };
  let candRound: Round = { units: 0 };
  let baseRound: Round = { units: 0 };
  await timed(options.candidate, { rss: 0 });
  await timed(options.baseline, { rss: 0 });
  for (let i = 0; i < rounds; i++) {
    options.progress?.(`${options.bench}/${options.name}: round ${i + 1}/${rounds}`);
    const c = await timed(options.candidate, candPeak);
    const b = await timed(options.baseline, basePeak);
    cand.push(c.seconds);
    base.push(b.seconds);
    candRound = c.round;
    baseRound = b.round;
  }
  const measure = (secs: number[], round: Round, peak: number): Measurement => {
    const seconds = median(secs);
    return {
      seconds,
      units: round.units,
      rate: round.units / seconds,
      peakRssBytes: peak,
      ...(round.extra ? { extra: round.extra } : {}),
    };
  };
  const candidate = measure(cand, candRound, candPeak.rss);
  const baseline = measure(base, baseRound, basePeak.rss);
  return {
    bench: options.bench,
    case: options.name,
    unit: options.unit,
    candidate,
    baseline,
    baselineName: options.baselineName,
    ratio: candidate.rate / baseline.rate,
  };
}

export function formatTable(results: readonly CaseResult[]): string {
  const header = ['bench', 'case', 'candidate', 'baseline', 'ratio', 'peak RSS', 'notes'];
  const fmtRate = (m: Measurement, unit: string) => `${Math.round(m.rate).toLocaleString('en-US')} ${unit}/s`;
  const rows = results.map((r) => [
    r.bench,
    r.case,
    fmtRate(r.candidate, r.unit),
    `${fmtRate(r.baseline, r.unit)} (${r.baselineName})`,
    `${r.ratio.toFixed(2)}x`,
    `${(r.candidate.peakRssBytes / 1048576).toFixed(0)} MiB`,
    [
      ...Object.entries(r.candidate.extra ?? {}).map(([k, v]) => `${k}=${v}`),
      ...Object.entries(r.baseline.extra ?? {}).map(([k, v]) => `baseline ${k}=${v}`),
    ].join(' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** A horizontal bar chart of the ratios (SVG), for the results people would rather see. */
export function ratioChart(results: readonly CaseResult[]): string {
  const barHeight = 26;
  const labelWidth = 320;
  const plotWidth = 420;
  const max = Math.max(1, ...results.map((r) => r.ratio));
  const height = results.length * barHeight + 50;
  const scale = (v: number) => (v / max) * plotWidth;
  const bars = results
    .map((r, i) => {
      const y = 30 + i * barHeight;
      const w = Math.max(1, scale(r.ratio));
      return [
        `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeXml(`${r.bench} / ${r.case}`)}</text>`,
        `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${barHeight - 8}" fill="${r.ratio >= 1 ? '#2f7ed8' : '#d9534f'}"/>`,
        `<text x="${labelWidth + w + 6}" y="${y + 16}">${r.ratio.toFixed(2)}x vs ${escapeXml(r.baselineName)}</text>`,
      ].join('');
    })
    .join('\n');
  const one = labelWidth + scale(1);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 260}" height="${height}" font-family="sans-serif" font-size="13">
<text x="10" y="18" font-weight="bold">oplake benchmarks: candidate rate / baseline rate (same run)</text>
<line x1="${one}" y1="26" x2="${one}" y2="${height - 10}" stroke="#999" stroke-dasharray="4 3"/>
${bars}
</svg>
`;
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
