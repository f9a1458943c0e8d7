/**
 * The contract's errors (CONTRACT.md "Errors"), one class each. Cores throw these; the HTTP edge
 * (shared/http/responses.ts) maps them to status and code in one place. Anything else that
 * escapes a handler is a fault: 500 `internal`.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'query_cancelled'
  | 'idempotency_conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'no_valid_events'
  | 'scan_limit_exceeded'
  | 'rate_limited'
  | 'too_many_queries'
  | 'internal'
  | 'unavailable';

export interface ErrorDetail {
  [key: string]: unknown;
}

export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[] | undefined;
  /** Seconds, for 429 and 503 answers. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    message: string,
    options: { cause?: unknown; details?: ErrorDetail[]; retryAfterSeconds?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export class InvalidRequestError extends ApiError {
  readonly status = 400;
  readonly code = 'invalid_request';
}
export class UnauthorizedError extends ApiError {
  readonly status = 401;
  readonly code = 'unauthorized';
}
export class ForbiddenError extends ApiError {
  readonly status = 403;
  readonly code = 'forbidden';
}
export class NotFoundError extends ApiError {
  readonly status = 404;
  readonly code = 'not_found';
}
/** GET of a query its tenant cancelled (DELETE /v1/search/{queryId}): it has no results. */
export class QueryCancelledError extends ApiError {
  readonly status = 410;
  readonly code = 'query_cancelled';
}
export class IdempotencyConflictError extends ApiError {
  readonly status = 409;
  readonly code = 'idempotency_conflict';
}
export class PayloadTooLargeError extends ApiError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}
export class UnsupportedMediaTypeError extends ApiError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}
export class NoValidEventsError extends ApiError {
  readonly status = 422;
  readonly code = 'no_valid_events';
}
export class ScanLimitExceededError extends ApiError {
  readonly status = 422;
  readonly code = 'scan_limit_exceeded';
}
export class RateLimitedError extends ApiError {
  readonly status = 429;
  readonly code = 'rate_limited';
}
export class TooManyQueriesError extends ApiError {
  readonly status = 429;
  readonly code = 'too_many_queries';
}
export class UnavailableError extends ApiError {
  readonly status = 503;
  readonly code = 'unavailable';
}

/** A required setting is missing or malformed: fails loudly at cold start. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
