/**
 * Search and aggregate requests (CONTRACT.md "Search", "Aggregate"): validated with zod and
 * brought to one canonical form, which is what the SQL builder, the cursor fingerprint and the
 * query registry see. Unknown fields, a bad range or a bad value are 400 `invalid_request`, with
 * one detail per problem.
 */
import { z } from 'zod';
import { EVENT_TYPES, type EventType } from '../domain/event.js';
import { parseTimestamp } from '../domain/validate.js';
import { InvalidRequestError } from '../errors.js';

/** Longest range a query may span: five years, plus leap days and a margin for offsets. */
export const MAX_RANGE_MS = (5 * 366 + 1) * 86_400_000;
export const MAX_FILTER_CHARS = 256;
export const SEARCH_LIMIT = Object.freeze({ min: 1, max: 1000, fallback: 100 });
export const AGGREGATE_LIMIT = Object.freeze({ min: 1, max: 1000, fallback: 20 });

export const GROUP_BYS = ['app', 'domain', 'user', 'host', 'deviceId', 'type', 'day', 'hour'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];
/** Time buckets: every bucket with events comes back, ascending; `limit` does not apply. */
export const TIME_GROUP_BYS: readonly GroupBy[] = ['day', 'hour'];
/** Longest range `groupBy: "hour"` accepts (744 buckets at most). */
export const MAX_HOUR_RANGE_MS = 31 * 86_400_000;
export const METRICS = ['count', 'durationMs'] as const;
export type Metric = (typeof METRICS)[number];
export type Order = 'asc' | 'desc';

export interface Filters {
  user?: string;
  host?: string;
  deviceId?: string;
  /** Exact, case-insensitive (kept as sent; compared lower-cased). */
  app?: string;
  /** Lower-cased: matches the domain and its subdomains. */
  domain?: string;
  /** Case-insensitive literal substring of title, url, path or app. */
  text?: string;
}

/** What every query shares: the tenant-free scope of the data it reads. */
export interface QueryScope {
  /** Canonical UTC ISO with milliseconds (`2026-11-24T00:00:00.000Z`), inclusive. */
  from: string;
  /** Canonical UTC ISO with milliseconds, exclusive. */
  to: string;
  /** Sorted, without duplicates; null means every type. */
  types: EventType[] | null;
  filters: Filters;
}

export interface SearchQuery extends QueryScope {
  limit: number;
  order: Order;
}

export interface AggregateQuery extends QueryScope {
  groupBy: GroupBy;
  metric: Metric;
  limit: number;
}

export interface ParsedSearch {
  query: SearchQuery;
  cursor: string | null;
}

const filterValue = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_FILTER_CHARS, `must be at most ${MAX_FILTER_CHARS} characters`);

const timestamp = z.string().refine((value) => parseTimestamp(value) !== null, {
  message: 'must be an RFC 3339 time with an offset, e.g. 2026-11-01T00:00:00+09:00',
});

const filtersSchema = z
  .strictObject({
    user: filterValue.optional(),
    host: filterValue.optional(),
    deviceId: filterValue.optional(),
    app: filterValue.optional(),
    domain: filterValue.optional(),
    text: filterValue.optional(),
  })
  .optional();

const scopeShape = {
  from: timestamp,
  to: timestamp,
  types: z
    .array(z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(', ')}` }))
    .min(1, 'must name at least one type (omit it for every type)')
    .optional(),
  filters: filtersSchema,
};

const searchSchema = z.strictObject({
  ...scopeShape,
  limit: z
    .number()
    .int('must be an integer')
    .min(SEARCH_LIMIT.min, `must be >= ${SEARCH_LIMIT.min}`)
    .max(SEARCH_LIMIT.max, `must be <= ${SEARCH_LIMIT.max}`)
    .optional(),
  order: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).optional(),
  cursor: z.string().min(1).max(8192).nullable().optional(),
});

const aggregateSchema = z.strictObject({
  ...scopeShape,
  groupBy: z.enum(GROUP_BYS, { error: `must be one of ${GROUP_BYS.join(', ')}` }),
  metric: z.enum(METRICS, { error: `must be one of ${METRICS.join(', ')}` }).optional(),
  limit: z
    .number()
    .int('must be an integer')
    .min(AGGREGATE_LIMIT.min, `must be >= ${AGGREGATE_LIMIT.min}`)
    .max(AGGREGATE_LIMIT.max, `must be <= ${AGGREGATE_LIMIT.max}`)
    .optional(),
});

export function parseSearchRequest(body: unknown): ParsedSearch {
  const data = check(searchSchema, body);
  return {
    query: {
      ...scopeOf(data),
      limit: data.limit ?? SEARCH_LIMIT.fallback,
      order: data.order ?? 'desc',
    },
    cursor: data.cursor ?? null,
  };
}

export function parseAggregateRequest(body: unknown): AggregateQuery {
  const data = check(aggregateSchema, body);
  const scope = scopeOf(data);
  if (data.groupBy === 'hour' && Date.parse(scope.to) - Date.parse(scope.from) > MAX_HOUR_RANGE_MS) {
    throw new InvalidRequestError('groupBy hour needs a range of at most 31 days', {
      details: [{ field: 'groupBy', message: 'hour buckets a range [from, to) of at most 31 days' }],
    });
  }
  return {
    ...scope,
    groupBy: data.groupBy,
    metric: data.metric ?? 'count',
    limit: data.limit ?? AGGREGATE_LIMIT.fallback,
  };
}

function check<T>(schema: z.ZodType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('the body must be a JSON object');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const details = parsed.error.issues.slice(0, 20).map((issue) => ({
      field: issue.path.join('.') || null,
      message:
        issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
    }));
    throw new InvalidRequestError('the request is not valid', { details });
  }
  return parsed.data;
}

function scopeOf(data: {
  from: string;
  to: string;
  types?: EventType[] | undefined;
  filters?: Filters | undefined;
}): QueryScope {
  const fromMs = parseTimestamp(data.from);
  const toMs = parseTimestamp(data.to);
  if (fromMs === null || toMs === null) throw new InvalidRequestError('from and to must be RFC 3339 times');
  if (fromMs >= toMs) {
    throw new InvalidRequestError('from must be before to', {
      details: [{ field: 'to', message: 'must be after from' }],
    });
  }
  if (toMs - fromMs > MAX_RANGE_MS) {
    throw new InvalidRequestError('the range is longer than five years', {
      details: [{ field: 'to', message: 'the range [from, to) may span at most five years' }],
    });
  }
  const to = new Date(toMs);
  if (to.getUTCFullYear() > 9999) throw new InvalidRequestError('to is out of range');
  const filters: Filters = {};
  const f = data.filters ?? {};
  if (f.user !== undefined) filters.user = f.user;
  if (f.host !== undefined) filters.host = f.host;
  if (f.deviceId !== undefined) filters.deviceId = f.deviceId;
  if (f.app !== undefined) filters.app = f.app;
  if (f.domain !== undefined) filters.domain = f.domain.toLowerCase();
  if (f.text !== undefined) filters.text = f.text;
  return {
    from: new Date(fromMs).toISOString(),
    to: to.toISOString(),
    types: data.types ? [...new Set(data.types)].sort() : null,
    filters,
  };
}

/** UTC dates (`YYYY-MM-DD`) of the first and last day a scope touches. */
export function dayRange(scope: Pick<QueryScope, 'from' | 'to'>): { first: string; last: string } {
  const last = new Date(Date.parse(scope.to) - 1).toISOString().slice(0, 10);
  return { first: scope.from.slice(0, 10), last };
}

/** Every UTC date from first to last, inclusive. */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}
