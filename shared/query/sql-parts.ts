/**
 * The parts every search statement is built from, for both dialects: parameter binding
 * (`Builder`: every value a positional `?`; the validated tenant id a literal), the source
 * fragments, the scope, filter and keyset predicates, and the columns of a source normalised to timestamps and whole event ids. The plans
 * that put them together are sql.ts (search and aggregate), month-sql.ts (compacted months) and
 * clean-floor.ts; this module imports none of them.
 */
import { sqlString } from '../conversion/sql.js';
import { assertTenant } from '../domain/layout.js';
import { dayRange, type Filters, type QueryScope } from './request.js';
import { parquetEventId, parseTs, quote, SELECT_COLUMNS } from './sql-columns.js';

export type Dialect = 'athena' | 'duckdb';
/** A parameter value: strings for both engines; string lists only as DuckDB file lists. */
export type SqlParam = string | readonly string[];

export interface SqlFragment {
  sql: string;
  params: SqlParam[];
  /**
   * Every row is known to be the query's tenant's and of a day in range (DuckDB: proved by the
   * files' statistics): the per-row tenant and day predicates are left out, the time range stays.
   */
  scoped?: boolean;
}

export interface BuiltQuery {
  sql: string;
  params: SqlParam[];
}

export interface KeysetPosition {
  ts: string;
  eventId: string;
  deviceId: string;
}

/** Escapes a value for `LIKE ? ESCAPE '!'`. */
export function escapeLike(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}

export class Builder {
  readonly params: SqlParam[] = [];
  constructor(readonly dialect: Dialect) {}
  bind(value: SqlParam): '?' {
    this.params.push(value);
    return '?';
  }
  /**
   * The tenant as a SQL string literal, not a parameter: Athena's result reuse matches on the
   * query string, and whether it compares the execution parameters is not documented, so two
   * tenants' identical questions must differ in their text (docs/security.md). Validated against
   * the contract's pattern here, where it enters the text: nothing else ever does.
   */
  tenant(tenantId: string): string {
    assertTenant(tenantId);
    return sqlString(tenantId);
  }
  /** A bound RFC 3339 value as a timestamp. */
  ts(value: string): string {
    return parseTs(this.dialect, this.bind(value));
  }
}

export type Kind = 'text' | 'typed';

/**
 * Data columns of a source, `ts` and `received_at` as timestamps whatever the layout, the event
 * id whole (derived where the current layout stores NULL: `parquetEventId`).
 */
export function normalisedColumns(b: Builder, kind: Kind, columns: ReadonlySet<string>): string {
  return SELECT_COLUMNS.filter((c) => columns.has(c))
    .map((c) => {
      if (kind === 'text' && (c === 'ts' || c === 'received_at')) return `${parseTs(b.dialect, c)} AS ${c}`;
      if (kind === 'typed' && c === 'event_id') return `${parquetEventId(b.dialect)} AS event_id`;
      return quote(c);
    })
    .join(', ');
}

/** Tenant, days and time range; text timestamps compare as text (canonical RFC 3339 UTC). */
export function scopePredicates(
  b: Builder,
  tenantId: string,
  scope: QueryScope,
  kind: Kind,
  source: SqlFragment,
): string[] {
  const days = dayRange(scope);
  const bound = (value: string) => (kind === 'typed' ? b.ts(value) : b.bind(value));
  const where = source.scoped
    ? []
    : [`tenant_id = ${b.tenant(tenantId)}`, `dt BETWEEN ${b.bind(days.first)} AND ${b.bind(days.last)}`];
  return [...where, `ts >= ${bound(scope.from)}`, `ts < ${bound(scope.to)}`];
}

export function filterPredicates(b: Builder, scope: QueryScope): string[] {
  const where: string[] = [];
  const f: Filters = scope.filters;
  if (scope.types) where.push(`type IN (${scope.types.map((t) => b.bind(t)).join(', ')})`);
  if (f.deviceId !== undefined) where.push(`device_id = ${b.bind(f.deviceId)}`);
  if (f.user !== undefined) where.push(`"user" = ${b.bind(f.user)}`);
  if (f.host !== undefined) where.push(`host = ${b.bind(f.host)}`);
  if (f.app !== undefined) where.push(`lower(app) = ${b.bind(f.app.toLowerCase())}`);
  if (f.domain !== undefined) {
    where.push(
      `(domain = ${b.bind(f.domain)} OR domain LIKE ${b.bind(`%.${escapeLike(f.domain)}`)} ESCAPE '!')`,
    );
  }
  if (f.text !== undefined) {
    const pattern = `%${escapeLike(f.text.toLowerCase())}%`;
    const any = ['title', 'url', 'path', 'app'].map((c) => `lower(${c}) LIKE ${b.bind(pattern)} ESCAPE '!'`);
    where.push(`(${any.join(' OR ')})`);
  }
  return where;
}

export function keysetPredicate(b: Builder, after: KeysetPosition, order: 'asc' | 'desc'): string {
  const op = order === 'asc' ? '>' : '<';
  return (
    `(ts ${op} ${b.ts(after.ts)} OR (ts = ${b.ts(after.ts)} AND (event_id ${op} ${b.bind(after.eventId)}` +
    ` OR (event_id = ${b.bind(after.eventId)} AND device_id ${op} ${b.bind(after.deviceId)}))))`
  );
}

/** A LIMIT or OFFSET written into the SQL text: a positive safe integer, never a value from outside. */
export function safeInt(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`not a positive integer: ${value}`);
  return value;
}
