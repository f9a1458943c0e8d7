/**
 * nightly: conversion rows/s (the whole local workflow: discover, Map, per tenant-day merge +
 * dedup + sort + ZSTD Parquet + promotion) against DuckDB's bare JSON -> Parquet COPY of the same
 * raw files, read as the conversion reads them and written with its Parquet writer options (no
 * merge, dedup, sort or promotion), each round on a fresh copy of one generated lake, each in its
 * own process (peak RSS is the process's). Also Parquet bytes / raw gzip bytes. A second case
 * compares that bare COPY with the plain one the benchmark used before (ts as text, DuckDB's
 * default writer), so the change of baseline is measured too.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GeneratedLake, PhaseMeasurement } from '../fixtures/nightly-measure.js';
import { type CaseResult, compare, inChild } from './harness.js';

const PHASE = 'test/bench/nightly-phase.ts';

export async function run(progress: (message: string) => void): Promise<CaseResult[]> {
  const work = await mkdtemp(join(tmpdir(), 'oplake-bench-nightly-'));
  try {
    const template = join(work, 'template');
    const [tenants, days, perDay] = [6, 2, 25_000];
    progress(`nightly: generating ${tenants} tenants x ${days} days x ${perDay} events`);
    const lake = await inChild<GeneratedLake>(PHASE, [
      'generate',
      template,
      String(tenants),
      String(days),
      String(perDay),
    ]);
    let round = 0;
    const phase = async (name: 'bare' | 'bare-plain' | 'nightly', threads = 2) => {
      const dir = join(work, `round-${round++}`);
      await cp(template, dir, { recursive: true });
      try {
        const m = await inChild<
          PhaseMeasurement & { parquetBytes?: number; parquetFiles?: number; validateMs?: number }
        >(PHASE, [name, dir, String(threads)]);
        return {
          units: lake.rawLines,
          seconds: m.ms / 1000,
          peakRssBytes: m.peakRssBytes,
          extra: {
            cpuMs: m.cpuMs,
            ...(m.parquetBytes === undefined
              ? {}
              : {
                  parquetFiles: m.parquetFiles ?? 0,
                  parquetToRawGzip: (m.parquetBytes / lake.rawGzipBytes).toFixed(2),
                  firstNightValidationMs: m.validateMs ?? 0,
                }),
          },
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };
    const results: CaseResult[] = [];
    // DuckDB threads 2 (the local default) and 1: on 2 cores shared with other work a statement's
    // second thread mostly waits for a core (docs/nightly.md "Measured").
    for (const threads of [2, 1]) {
      results.push(
        await compare({
          bench: 'nightly',
          name: `${lake.rawLines.toLocaleString('en-US')} raw lines, ${tenants * days} tenant-days, ${threads} thread${threads > 1 ? 's' : ''}`,
          unit: 'rows',
          rounds: 3,
          progress,
          candidate: () => phase('nightly', threads),
          baselineName: 'DuckDB bare JSON->Parquet COPY, same layout',
          baseline: () => phase('bare', threads),
        }),
      );
    }
    results.push(
      await compare({
        bench: 'nightly',
        name: 'bare COPY: same layout vs plain, 2 threads',
        unit: 'rows',
        rounds: 3,
        progress,
        candidate: () => phase('bare'),
        baselineName: 'bare COPY, ts as text, default writer',
        baseline: () => phase('bare-plain'),
      }),
    );
    return results;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
