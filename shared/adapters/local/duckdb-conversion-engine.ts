/**
 * Local conversion engine: one DuckDB COPY statement per tenant-day over the files of a
 * FileObjectStore (DuckDB reads local files only). One DuckDB instance per engine, with bounded
 * memory and threads; statements run one at a time (a tenant-day's window dedup is what needs
 * memory, FACTS.md). Call close() when done.
 */
import { mkdir, rm } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ConversionEngine, PartitionSnapshot, StagedOutput } from '../../conversion/engine.js';
import { duckDbCopy } from '../../conversion/sql.js';
import { runStagedCopy } from './duckdb-stage.js';
import type { FileObjectStore } from './file-object-store.js';

export interface DuckDbEngineOptions {
  /** DuckDB memory_limit, e.g. '1GB' (default). */
  memoryLimit?: string;
  /** DuckDB threads (default 2). */
  threads?: number;
  /** Where DuckDB may spill (default: none, in-memory only). */
  tempDirectory?: string;
  rowGroupSize?: number;
  fileSizeBytes?: number;
}

export class DuckDbConversionEngine implements ConversionEngine {
  readonly name = 'duckdb';
  private instance: Promise<DuckDBInstance> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: FileObjectStore,
    private readonly options: DuckDbEngineOptions = {},
  ) {}

  private db(): Promise<DuckDBInstance> {
    this.instance ??= this.open();
    return this.instance;
  }

  private async open(): Promise<DuckDBInstance> {
    // DuckDB creates only the last level of its spill directory.
    if (this.options.tempDirectory) await mkdir(this.options.tempDirectory, { recursive: true });
    return DuckDBInstance.create(':memory:', {
      memory_limit: this.options.memoryLimit ?? '1GB',
      threads: String(this.options.threads ?? 2),
      preserve_insertion_order: 'true',
      ...(this.options.tempDirectory ? { temp_directory: this.options.tempDirectory } : {}),
    });
  }

  /** Runs statements one after another on this engine (one tenant-day at a time). */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  materialize(snapshot: PartitionSnapshot): Promise<StagedOutput> {
    return this.serial(() => this.run(snapshot));
  }

  private async run(snapshot: PartitionSnapshot): Promise<StagedOutput> {
    const targetDir = this.store.pathOf(snapshot.stagingPrefix.replace(/\/$/, ''));
    // A fresh prefix per attempt; clear a leftover of the very same attempt id, if any.
    await rm(targetDir, { recursive: true, force: true });
    await mkdir(targetDir, { recursive: true });
    const sql = duckDbCopy({
      tenantId: snapshot.tenantId,
      dt: snapshot.dt,
      rawFiles: snapshot.rawKeys.map((k) => this.store.pathOf(k)),
      parquetFiles: snapshot.parquetKeys.map((k) => this.store.pathOf(k)),
      monthFiles: (snapshot.monthKeys ?? []).map((k) => this.store.pathOf(k)),
      targetDir,
      ...(this.options.rowGroupSize ? { rowGroupSize: this.options.rowGroupSize } : {}),
      ...(this.options.fileSizeBytes ? { fileSizeBytes: this.options.fileSizeBytes } : {}),
    });
    const connection = await (await this.db()).connect();
    try {
      return await runStagedCopy(connection, this.store, {
        sql,
        label: `conversion of ${snapshot.tenantId}/${snapshot.dt}`,
      });
    } finally {
      connection.closeSync();
    }
  }

  /** Peak-ish memory DuckDB holds now (bytes), for measurements. */
  async memoryUsage(): Promise<number> {
    const connection = await (await this.db()).connect();
    try {
      const reader = await connection.runAndReadAll('SELECT sum(memory_usage_bytes) FROM duckdb_memory()');
      return Number(reader.getRows()[0]?.[0] ?? 0);
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
