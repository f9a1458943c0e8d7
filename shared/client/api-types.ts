/**
 * The search API as its clients see it (the console and `oplake search`): the request and answer
 * shapes of docs/openapi.yaml. The field lists are runtime constants so that
 * test/contract/openapi-client.test.ts can check them against the document, property by
 * property; the types are derived from them, so the client cannot drift from the document.
 */

import type { EventType, OutputEvent } from '../domain/event.js';

export { EVENT_TYPES, type EventType } from '../domain/event.js';

/** components.schemas.Filters */
export const FILTER_KEYS = ['user', 'host', 'deviceId', 'app', 'domain', 'text'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

/** components.schemas.SearchRequest */
export const SEARCH_REQUEST_KEYS = ['from', 'to', 'types', 'filters', 'limit', 'order', 'cursor'] as const;
export interface SearchRequest {
  from: string;
  to: string;
  types?: EventType[];
  filters?: Filters;
  limit?: number;
  order?: 'asc' | 'desc';
  cursor?: string | null;
}

/** components.schemas.AggregateRequest */
export const AGGREGATE_REQUEST_KEYS = [
  'from',
  'to',
  'types',
  'filters',
  'groupBy',
  'metric',
  'limit',
] as const;
export const GROUP_BYS = ['app', 'domain', 'user', 'host', 'deviceId', 'type', 'day', 'hour'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];
export const METRICS = ['count', 'durationMs'] as const;
export type Metric = (typeof METRICS)[number];
export interface AggregateRequest {
  from: string;
  to: string;
  types?: EventType[];
  filters?: Filters;
  groupBy: GroupBy;
  metric?: Metric;
  limit?: number;
}

/** components.schemas.Event: every field is present; absent values are null. */
export const EVENT_FIELDS = [
  'eventId',
  'type',
  'ts',
  'deviceId',
  'user',
  'host',
  'app',
  'title',
  'url',
  'domain',
  'path',
  'op',
  'durationMs',
  'attrs',
] as const;
/** The output event of the domain model (shared/domain/event.ts), as the API answers it. */
export type ApiEvent = OutputEvent;

/** components.schemas.Stats */
export const STATS_KEYS = ['scannedBytes', 'engine', 'queryId'] as const;
export interface Stats {
  scannedBytes: number;
  engine: string;
  queryId: string;
}

/** components.schemas.SearchAnswer */
export const SEARCH_ANSWER_KEYS = ['events', 'nextCursor', 'stats'] as const;
export interface SearchAnswer {
  events: ApiEvent[];
  nextCursor: string | null;
  stats: Stats;
}

/** components.schemas.AggregateAnswer (rows) */
export const AGGREGATE_ROW_KEYS = ['key', 'count', 'durationMs'] as const;
export interface AggregateRow {
  key: string | null;
  count: number;
  durationMs: number;
}
export interface AggregateAnswer {
  rows: AggregateRow[];
  stats: Stats;
}

/** components.schemas.Running */
export const RUNNING_KEYS = ['queryId', 'status'] as const;
export interface Running {
  queryId: string;
  status: 'running';
}

/** components.schemas.CancelAnswer: DELETE /v1/search/{queryId} */
export const CANCEL_KEYS = ['queryId', 'status'] as const;
export interface CancelAnswer {
  queryId: string;
  /** `cancelled` when it was stopped (now or before); else how it had already ended. */
  status: 'cancelled' | 'succeeded' | 'failed';
}

/** components.schemas.Error (error.code) */
export const ERROR_CODES = [
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'query_cancelled',
  'idempotency_conflict',
  'payload_too_large',
  'unsupported_media_type',
  'no_valid_events',
  'scan_limit_exceeded',
  'rate_limited',
  'too_many_queries',
  'internal',
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export interface ErrorDetail {
  field?: string | null;
  message?: string;
}
