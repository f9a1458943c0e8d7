/**
 * The HTTP edge of every function URL handler: JSON answers, and the one place where errors
 * become the contract's status and code (CONTRACT.md "Errors").
 */

import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ApiError } from '../errors.js';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export interface ErrorLogger {
  error(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
}

/** Contract errors become their status; anything else is a fault, logged, and answered 500. */
export function errorResult(error: unknown, logger: ErrorLogger): HttpResult {
  if (error instanceof ApiError) {
    if (error.status >= 500) logger.error(error.message, { error });
    else logger.warn(error.message, { code: error.code });
    const headers: Record<string, string> = {};
    if (error.retryAfterSeconds !== undefined)
      headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
    return json(
      error.status,
      {
        error: {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        },
      },
      headers,
    );
  }
  logger.error('unhandled fault', { error });
  return json(500, {
    error: { code: 'internal', message: 'internal error; retrying the same request is safe' },
  });
}

/** Middy middleware: turns a thrown error into the contract's error answer. */
export function httpErrors(logger: ErrorLogger): MiddlewareObj<unknown, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      request.response = errorResult(request.error, logger);
    },
  };
}

/** Lower-cased header map of a function URL event. */
export function lowerHeaders(
  headers: Record<string, string | undefined> | undefined,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}
