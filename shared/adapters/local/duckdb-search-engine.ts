/**
 * Search engine of local mode: DuckDB over the lake's files. For a query it picks exactly the
 * files of the tenant's partitions for the days in range (`parquet/` and `raw/`), refuses the
 * query when their total size is over the scan cutoff (422 `scan_limit_exceeded`, the local twin
 * of a workgroup's per-query cutoff), and runs the shared SQL (shared/query/sql.ts) with every
 * value, file lists included, as a prepared parameter. Paging is by keyset. A query that
 * outlives the wait budget keeps running; its result waits here for `poll` (kept `resultTtlMs`).
 */
import { randomUUID } from 'node:crypto';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue, listValue } from '@duckdb/node-api';
import type { EventType, OutputEvent } from '../../domain/event.js';
import { partitionPrefix } from '../../domain/layout.js';
import { NotFoundError, ScanLimitExceededError } from '../../errors.js';
import type { PagePosition } from '../../query/cursor.js';
import type {
  AggregateResult,
  AggregateRow,
  Outcome,
  QueryRecord,
  SearchEngine,
  SearchPage,
} from '../../query/ports.js';
import { type AggregateQuery, dayRange, type QueryScope, type SearchQuery } from '../../query/request.js';
import { buildAggregateSql, buildSearchSql, type Sources, type SqlParam } from '../../query/sql.js';
import './duckdb-text.js'; // VARCHARs come back byte for byte (a leading U+FEFF too)
import { FileObjectStore } from './file-object-store.js';

export interface DuckDbSearchEngineOptions {
  /** The lake's root directory (`$OPLAKE_DATA_DIR/lake`). */
  lakeRoot: string;
  /** Largest total size of the files one query may touch; over it the query is refused. */
  scanCutoffBytes: number;
  /** How long a finished query's first page waits for `poll`. Default 10 minutes. */
  resultTtlMs?: number;
  /** DuckDB worker threads. Default 2. */
  threads?: number;
}

export interface SelectedFiles {
  parquet: string[];
  raw: string[];
  bytes: number;
}

type Settled = { ok: true; value: SearchPage | AggregateResult } | { ok: false; error: unknown };

interface Running {
  promise: Promise<SearchPage | AggregateResult>;
  settled: Settled | null;
  expiresAt: number;
}

const RAW_COLUMNS =
  "{event_id: 'VARCHAR', tenant_id: 'VARCHAR', dt: 'VARCHAR', type: 'VARCHAR', ts: 'VARCHAR', " +
  "device_id: 'VARCHAR', user: 'VARCHAR', host: 'VARCHAR', app: 'VARCHAR', title: 'VARCHAR', " +
  "url: 'VARCHAR', domain: 'VARCHAR', path: 'VARCHAR', op: 'VARCHAR', duration_ms: 'BIGINT', " +
  "attrs: 'VARCHAR', batch_id: 'VARCHAR', received_at: 'VARCHAR'}";

export class DuckDbSearchEngine implements SearchEngine {
  readonly name = 'duckdb' as const;
  private readonly store: FileObjectStore;
  private instance: Promise<DuckDBInstance> | null = null;
  private readonly running = new Map<string, Running>();

  constructor(private readonly options: DuckDbSearchEngineOptions) {
    this.store = new FileObjectStore(options.lakeRoot);
  }

  pagingRunsQuery(_position: PagePosition): boolean {
    return true;
  }

  async search(
    tenantId: string,
    query: SearchQuery,
    position: PagePosition | null,
    waitMs: number,
  ): Promise<Outcome<SearchPage>> {
    if (position !== null && position.kind !== 'keyset') throw new RangeError('DuckDB pages by keyset only');
    const files = await this.selectFiles(tenantId, query);
    const queryId = randomUUID();
    return this.track(queryId, waitMs, () => this.runSearch(tenantId, query, position, files, queryId));
  }

  async aggregate(
    tenantId: string,
    query: AggregateQuery,
    waitMs: number,
  ): Promise<Outcome<AggregateResult>> {
    const files = await this.selectFiles(tenantId, query);
    const queryId = randomUUID();
    return this.track(queryId, waitMs, () => this.runAggregate(tenantId, query, files, queryId));
  }

  async poll(record: QueryRecord, waitMs: number): Promise<Outcome<SearchPage | AggregateResult>> {
    const run = this.running.get(record.queryId);
    if (!run) throw new NotFoundError('the results of this query are no longer available; run it again');
    return this.await(record.queryId, run, waitMs);
  }

  /** The files of the tenant's partitions for the days of the scope, and their total size. */
  async selectFiles(tenantId: string, scope: Pick<QueryScope, 'from' | 'to'>): Promise<SelectedFiles> {
    const { first, last } = dayRange(scope);
    const out: SelectedFiles = { parquet: [], raw: [], bytes: 0 };
    for (const area of ['parquet', 'raw'] as const) {
      const base = partitionPrefix(area, tenantId);
      for (const folder of await this.store.listPrefixes(base)) {
        const dt = /dt=(\d{4}-\d{2}-\d{2})\/$/.exec(folder)?.[1];
        if (dt === undefined || dt < first || dt > last) continue;
        for await (const object of this.store.list(folder)) {
          const isData =
            area === 'parquet' ? object.key.endsWith('.parquet') : /\.json(l)?(\.gz)?$/.test(object.key);
          if (!isData || object.size === 0) continue;
          out[area].push(this.store.pathOf(object.key));
          out.bytes += object.size;
        }
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const instance = await this.instance;
    instance?.closeSync();
    this.instance = null;
  }

  private checkCutoff(files: SelectedFiles): void {
    if (files.bytes > this.options.scanCutoffBytes) {
      throw new ScanLimitExceededError(
        `this query would read ${files.bytes} bytes, over the per-query cutoff of ${this.options.scanCutoffBytes}; ` +
          'narrow the time range or add filters (types, deviceId)',
        { details: [{ scannedBytes: files.bytes, cutoffBytes: this.options.scanCutoffBytes }] },
      );
    }
  }

  private async track<T extends SearchPage | AggregateResult>(
    queryId: string,
    waitMs: number,
    work: () => Promise<T>,
  ): Promise<Outcome<T>> {
    this.sweep();
    const promise = work();
    const run: Running = {
      promise,
      settled: null,
      expiresAt: Date.now() + (this.options.resultTtlMs ?? 600_000),
    };
    promise.then(
      (value) => {
        run.settled = { ok: true, value };
      },
      (error: unknown) => {
        run.settled = { ok: false, error };
      },
    );
    const outcome = await this.await(queryId, run, waitMs);
    if (outcome.status === 'running') this.running.set(queryId, run);
    return outcome as Outcome<T>;
  }

  private async await(
    queryId: string,
    run: Running,
    waitMs: number,
  ): Promise<Outcome<SearchPage | AggregateResult>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.min(2_147_483_647, Math.max(0, waitMs)));
    });
    try {
      const winner = await Promise.race([run.promise, timeout]);
      if (winner === 'timeout') return { status: 'running', queryId };
      return { status: 'done', result: winner };
    } finally {
      clearTimeout(timer);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, run] of this.running)
      if (run.settled !== null && run.expiresAt <= now) this.running.delete(id);
  }

  private sources(files: SelectedFiles): Sources {
    return {
      parquet:
        files.parquet.length === 0
          ? null
          : { sql: 'read_parquet(?::VARCHAR[], hive_partitioning = false)', params: [files.parquet] },
      raw:
        files.raw.length === 0
          ? null
          : {
              sql:
                "read_json(?::VARCHAR[], format = 'newline_delimited', compression = 'auto_detect', " +
                `hive_partitioning = false, columns = ${RAW_COLUMNS})`,
              params: [files.raw],
            },
    };
  }

  private async runSearch(
    tenantId: string,
    query: SearchQuery,
    position: PagePosition | null,
    files: SelectedFiles,
    queryId: string,
  ): Promise<SearchPage> {
    this.checkCutoff(files);
    const stats = { scannedBytes: files.bytes, engine: this.name, queryId };
    if (files.parquet.length === 0 && files.raw.length === 0) return { events: [], next: null, stats };
    const after = position?.kind === 'keyset' ? position : null;
    const built = buildSearchSql({ dialect: 'duckdb', sources: this.sources(files), tenantId, query, after });
    const rows = await this.run(built.sql, built.params);
    const events = rows.slice(0, query.limit).map(toEvent);
    const last = events[events.length - 1];
    const next: PagePosition | null =
      rows.length > query.limit && last
        ? { kind: 'keyset', ts: last.ts, eventId: last.eventId, deviceId: last.deviceId }
        : null;
    return { events, next, stats };
  }

  private async runAggregate(
    tenantId: string,
    query: AggregateQuery,
    files: SelectedFiles,
    queryId: string,
  ): Promise<AggregateResult> {
    this.checkCutoff(files);
    const stats = { scannedBytes: files.bytes, engine: this.name, queryId };
    if (files.parquet.length === 0 && files.raw.length === 0) return { rows: [], stats };
    const built = buildAggregateSql({ dialect: 'duckdb', sources: this.sources(files), tenantId, query });
    const rows = await this.run(built.sql, built.params);
    return { rows: rows.map(toAggregateRow), stats };
  }

  private async run(sql: string, params: SqlParam[]): Promise<Record<string, unknown>[]> {
    const connection = await this.connect();
    try {
      const values: DuckDBValue[] = params.map((p) => (typeof p === 'string' ? p : listValue([...p])));
      const reader = await connection.runAndReadAll(sql, values);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    } finally {
      connection.closeSync();
    }
  }

  private async connect(): Promise<DuckDBConnection> {
    this.instance ??= DuckDBInstance.create(':memory:', { threads: String(this.options.threads ?? 2) });
    return (await this.instance).connect();
  }
}

const text = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

function toEvent(row: Record<string, unknown>): OutputEvent {
  const duration = row.duration_ms;
  const attrs = row.attrs;
  return {
    eventId: String(row.event_id),
    type: String(row.type) as EventType,
    ts: String(row.ts),
    deviceId: String(row.device_id),
    user: text(row.user),
    host: text(row.host),
    app: text(row.app),
    title: text(row.title),
    url: text(row.url),
    domain: text(row.domain),
    path: text(row.path),
    op: text(row.op),
    durationMs: duration === null || duration === undefined ? null : Number(duration),
    attrs:
      attrs === null || attrs === undefined
        ? null
        : typeof attrs === 'string'
          ? (JSON.parse(attrs) as Record<string, unknown>)
          : (attrs as Record<string, unknown>),
  };
}

function toAggregateRow(row: Record<string, unknown>): AggregateRow {
  return {
    key: text(row.group_key),
    count: Number(row.event_count),
    durationMs: Number(row.duration_ms_total),
  };
}
