/**
 * Search engine of local mode: DuckDB over the lake's files. For a query it picks exactly the
 * files of the tenant's partitions for the days in range (`parquet/` and `raw/`), splits the
 * Parquet by the plan (contested: days with raw objects or a promotion under way; legacy: the
 * previous layout; clean: the rest), and runs the shared SQL (shared/query/sql.ts) with every
 * value, file lists included, as a prepared parameter. `stats.scannedBytes` is what DuckDB read,
 * from its profiler (duckdb-bytes-read.ts), and the scan cutoff judges that figure after each
 * statement (422 `scan_limit_exceeded`, the local twin of a workgroup's per-query cutoff).
 * Paging is by keyset. A query that
 * outlives the wait budget keeps running; its result waits here for `poll` (kept `resultTtlMs`),
 * or `cancel` interrupts its DuckDB connection (DuckDBConnection.interrupt).
 */
import { randomUUID } from 'node:crypto';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue, listValue } from '@duckdb/node-api';
import { partitionPrefix } from '../../domain/layout.js';
import { NotFoundError } from '../../errors.js';
import { buildCleanFloorSql } from '../../query/clean-floor.js';
import type { PagePosition } from '../../query/cursor.js';
import type {
  AggregateResult,
  EndState,
  Outcome,
  QueryRecord,
  QueryStats,
  SearchEngine,
  SearchPage,
} from '../../query/ports.js';
import { type AggregateQuery, dayRange, type QueryScope, type SearchQuery } from '../../query/request.js';
import { buildAggregateSql, buildSearchSql, type SqlParam } from '../../query/sql.js';
import { measureBytesRead, PROFILED_INSTANCE_OPTIONS, ReadBudget } from './duckdb-bytes-read.js';
import { toAggregateRow, toEvent } from './duckdb-rows.js';
import { cleanSource, duckDbSources, type SelectedFiles } from './duckdb-sources.js';
import { FileObjectStore } from './file-object-store.js';
import { listDays } from './lake-days.js';
import { listMonthFolders, monthFileReadings } from './month-files.js';
import { type FileFacts, type LakeFile, ParquetFactsCache, provenScope } from './parquet-facts.js';

export interface DuckDbSearchEngineOptions {
  /** The lake's root directory (`$OPLAKE_DATA_DIR/lake`). */
  lakeRoot: string;
  /** Most bytes one query may read (what DuckDB's profiler counts); over it the query is refused. */
  scanCutoffBytes: number;
  /** How long a finished query's first page waits for `poll`. Default 10 minutes. */
  resultTtlMs?: number;
  /** DuckDB worker threads. Default 2. */
  threads?: number;
}

export type { SelectedFiles };

type Settled = { ok: true; value: SearchPage | AggregateResult } | { ok: false; error: unknown };

interface Running {
  promise: Promise<SearchPage | AggregateResult>;
  settled: Settled | null;
  expiresAt: number;
  /** Set by `cancel`: the query's connection is interrupted, or never runs. */
  cancelled?: boolean;
}

export class DuckDbSearchEngine implements SearchEngine {
  readonly name = 'duckdb' as const;
  private readonly store: FileObjectStore;
  private instance: Promise<DuckDBInstance> | null = null;
  private readonly running = new Map<string, Running>();
  /** The open connection of each query while its SQL runs (what `cancel` interrupts). */
  private readonly connections = new Map<string, DuckDBConnection>();
  private readonly facts = new ParquetFactsCache();

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

  /** Interrupts a query that answered `running` and waits for DuckDB to give it up. */
  async cancel(record: QueryRecord): Promise<EndState> {
    const run = this.running.get(record.queryId);
    if (!run) throw new NotFoundError('the results of this query are no longer available; run it again');
    if (run.cancelled) return 'cancelled';
    if (run.settled !== null) return run.settled.ok ? 'succeeded' : 'failed';
    run.cancelled = true;
    this.connections.get(record.queryId)?.interrupt();
    await run.promise.catch(() => undefined);
    return 'cancelled';
  }

  /** The files of the tenant's partitions for the days of the scope, split by the plan. */
  async selectFiles(tenantId: string, query: SearchQuery | AggregateQuery): Promise<SelectedFiles> {
    const scope: QueryScope = query;
    const { first, last } = dayRange(scope);
    const out: SelectedFiles = {
      raw: [],
      contested: [],
      besideRaw: [],
      legacy: [],
      clean: [],
      split: [],
      splitDays: [],
      gzipBytes: 0,
      positioned: new Set(),
    };
    const rawDays = new Set<string>();
    const [raw, current, previous] = await Promise.all(
      (['raw', 'parquet', 'parquetV1'] as const).map((area) =>
        listDays(this.store, partitionPrefix(area, tenantId), first, last),
      ),
    );
    for (const { dt, objects } of raw ?? []) {
      for (const object of objects) {
        if (!/\.json(l)?(\.gz)?$/.test(object.key) || object.size === 0) continue;
        out.raw.push(this.store.pathOf(object.key));
        if (object.key.endsWith('.gz')) out.gzipBytes += object.size;
        rawDays.add(dt);
      }
    }
    const parquet: { file: LakeFile; contested: boolean; besideRaw?: boolean; split?: boolean }[] = [];
    const months = await listMonthFolders(this.store, tenantId, first, last);
    // Both layouts: parquet-v2/ and the previous layout's parquet/ (read as legacy by its schema).
    const legacyDays = new Set((previous ?? []).filter((d) => d.objects.length > 0).map((d) => d.dt));
    for (const { dt, objects } of [...(current ?? []), ...(previous ?? [])]) {
      const files: LakeFile[] = [];
      const runs = new Set<string>();
      for (const object of objects) {
        if (!object.key.endsWith('.parquet') || object.size === 0) continue;
        const path = this.store.pathOf(object.key);
        files.push({ path, size: object.size, mtimeMs: object.lastModified.getTime() });
        runs.add(runOf(object.key));
      }
      // Copies are possible only next to raw objects, or while a day's new files sit beside
      // the old ones (a promotion under way: files of more than one run).
      // A day in both layouts is a rewrite under way: its new files may repeat the old ones.
      // A day folder beside its month's file may repeat its rows (month-files.ts).
      const beside = months.some((m) => m.month === dt.slice(0, 7));
      const contested = rawDays.has(dt) || runs.size > 1 || legacyDays.has(dt) || beside;
      // Contested by raw objects alone: the day's Parquet rows are unique among themselves.
      const besideRaw = rawDays.has(dt) && runs.size === 1 && !legacyDays.has(dt) && !beside;
      for (const file of files) parquet.push({ file, contested, besideRaw });
    }
    const dayFolderDays = new Set((current ?? []).filter((d) => d.objects.length > 0).map((d) => d.dt));
    const contestedDay = (dt: string) => rawDays.has(dt) || legacyDays.has(dt) || dayFolderDays.has(dt);
    parquet.push(...monthFileReadings(months, first, last, contestedDay, out.splitDays));
    if (parquet.length === 0) return out;
    const connection = await this.connect();
    let facts: Map<string, FileFacts>;
    try {
      facts = await this.facts.of(
        connection,
        parquet.map((p) => p.file),
      );
    } finally {
      connection.closeSync();
    }
    const factsOf = { clean: [] as FileFacts[], contested: [] as FileFacts[] };
    for (const { file, contested, besideRaw, split } of parquet) {
      const fact = facts.get(file.path) ?? { legacy: true };
      const kind = fact.legacy ? 'legacy' : split ? 'split' : contested ? 'contested' : 'clean';
      out[kind === 'contested' && besideRaw ? 'besideRaw' : kind].push(file.path);
      if (fact.positions) out.positioned.add(file.path);
      if (kind === 'clean' || kind === 'contested') factsOf[kind].push(fact);
    }
    const days = { first, last };
    out.scoped = {
      clean: provenScope(factsOf.clean, tenantId, days),
      contested: provenScope(factsOf.contested, tenantId, days),
    };
    return out;
  }

  async close(): Promise<void> {
    const instance = await this.instance;
    instance?.closeSync();
    this.instance = null;
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

  private async runSearch(
    tenantId: string,
    query: SearchQuery,
    position: PagePosition | null,
    files: SelectedFiles,
    queryId: string,
  ): Promise<SearchPage> {
    const read = new ReadBudget(this.options.scanCutoffBytes, files.gzipBytes);
    if (isEmpty(files)) return { events: [], next: null, stats: this.stats(read, queryId) };
    const after = position?.kind === 'keyset' ? position : null;
    const order = query.order === 'asc' ? 'asc' : 'desc';
    // The clean floor first (query/clean-floor.ts): only the page's span has its ids derived.
    const clean = cleanSource(files, order);
    let floor: string | null = null;
    if (clean) {
      const found = buildCleanFloorSql({ clean, tenantId, query, after });
      const [row] = await this.run(found.sql, found.params, queryId, read);
      floor = typeof row?.ts === 'string' ? row.ts : null;
    }
    const built = buildSearchSql({
      dialect: 'duckdb',
      sources: duckDbSources(files, order, floor),
      tenantId,
      query,
      after,
    });
    const rows = await this.run(built.sql, built.params, queryId, read);
    const events = rows.slice(0, query.limit).map(toEvent);
    const last = events[events.length - 1];
    const next: PagePosition | null =
      rows.length > query.limit && last
        ? { kind: 'keyset', ts: last.ts, eventId: last.eventId, deviceId: last.deviceId }
        : null;
    return { events, next, stats: this.stats(read, queryId) };
  }

  private async runAggregate(
    tenantId: string,
    query: AggregateQuery,
    files: SelectedFiles,
    queryId: string,
  ): Promise<AggregateResult> {
    const read = new ReadBudget(this.options.scanCutoffBytes, files.gzipBytes);
    if (isEmpty(files)) return { rows: [], stats: this.stats(read, queryId) };
    const built = buildAggregateSql({ dialect: 'duckdb', sources: duckDbSources(files), tenantId, query });
    const rows = await this.run(built.sql, built.params, queryId, read);
    return { rows: rows.map(toAggregateRow), stats: this.stats(read, queryId) };
  }

  private stats(read: ReadBudget, queryId: string): QueryStats {
    return { scannedBytes: read.scannedBytes, engine: this.name, queryId };
  }

  /** Runs one statement on its own connection; adds what it read to the question's `read`. */
  private async run(
    sql: string,
    params: SqlParam[],
    queryId: string,
    read: ReadBudget,
  ): Promise<Record<string, unknown>[]> {
    const connection = await this.connect();
    this.connections.set(queryId, connection);
    try {
      if (this.running.get(queryId)?.cancelled) throw new Error(`query ${queryId} was cancelled`);
      const values: DuckDBValue[] = params.map((p) => (typeof p === 'string' ? p : listValue([...p])));
      const { value, bytesRead } = await measureBytesRead(connection, () =>
        connection.runAndReadAll(sql, values),
      );
      read.add(bytesRead);
      return value.getRowObjectsJS() as Record<string, unknown>[];
    } finally {
      this.connections.delete(queryId);
      connection.closeSync();
    }
  }

  private async connect(): Promise<DuckDBConnection> {
    this.instance ??= DuckDBInstance.create(':memory:', {
      threads: String(this.options.threads ?? 2),
      ...PROFILED_INSTANCE_OPTIONS,
    });
    return (await this.instance).connect();
  }
}

const isEmpty = (files: SelectedFiles): boolean =>
  files.raw.length +
    files.contested.length +
    files.besideRaw.length +
    files.legacy.length +
    files.clean.length +
    files.split.length ===
  0;

/** The run a Parquet file was written by: its name without the `-N.parquet` counter. */
const runOf = (key: string): string => (key.split('/').pop() ?? key).replace(/(-\d+)?\.parquet$/, '');
