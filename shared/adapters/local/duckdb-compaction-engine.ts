/**
 * Local compaction engine: one DuckDB COPY per tenant-month over the files of a FileObjectStore
 * (shared/compaction/sql.ts), row count checked against the staged files. Its own DuckDB
 * instance (bounded memory and threads), statements one at a time. Call close() when done.
 */
import { mkdir, rm } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import type { CompactionEngine, MonthSnapshot, StagedOutput } from '../../compaction/engine.js';
import { duckDbMonthCopy } from '../../compaction/sql.js';
import { runStagedCopy } from './duckdb-stage.js';
import type { FileObjectStore } from './file-object-store.js';

export interface DuckDbCompactionOptions {
  memoryLimit?: string;
  threads?: number;
  tempDirectory?: string;
  rowGroupSize?: number;
}

export class DuckDbCompactionEngine implements CompactionEngine {
  readonly name = 'duckdb';
  private instance: Promise<DuckDBInstance> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: FileObjectStore,
    private readonly options: DuckDbCompactionOptions = {},
  ) {}

  private db(): Promise<DuckDBInstance> {
    this.instance ??= (async () => {
      if (this.options.tempDirectory) await mkdir(this.options.tempDirectory, { recursive: true });
      return DuckDBInstance.create(':memory:', {
        memory_limit: this.options.memoryLimit ?? '1GB',
        threads: String(this.options.threads ?? 2),
        preserve_insertion_order: 'true',
        ...(this.options.tempDirectory ? { temp_directory: this.options.tempDirectory } : {}),
      });
    })();
    return this.instance;
  }

  materializeMonth(snapshot: MonthSnapshot): Promise<StagedOutput> {
    const next = this.queue.then(
      () => this.run(snapshot),
      () => this.run(snapshot),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(snapshot: MonthSnapshot): Promise<StagedOutput> {
    const targetDir = this.store.pathOf(snapshot.stagingPrefix.replace(/\/$/, ''));
    await rm(targetDir, { recursive: true, force: true });
    await mkdir(targetDir, { recursive: true });
    const sql = duckDbMonthCopy({
      tenantId: snapshot.tenantId,
      month: snapshot.month,
      files: [...snapshot.monthKeys, ...snapshot.dayKeys].map((k) => this.store.pathOf(k)),
      targetDir,
      ...(this.options.rowGroupSize ? { rowGroupSize: this.options.rowGroupSize } : {}),
    });
    const connection = await (await this.db()).connect();
    try {
      return await runStagedCopy(connection, this.store, {
        sql,
        label: `compaction of ${snapshot.tenantId}/${snapshot.month}`,
      });
    } finally {
      connection.closeSync();
    }
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.instance) (await this.instance).closeSync();
    this.instance = undefined;
  }
}
