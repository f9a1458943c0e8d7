/**
 * The search function URL handler, the same on Lambda and in local mode:
 *   POST /v1/search, GET and DELETE /v1/search/{queryId}, POST /v1/aggregate (scope `search`).
 * Authentication and routing live here; the work is in core.ts; errors become the contract's
 * answers in httpErrors (shared/http/responses.ts).
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { bearerToken, requireScope, verifyToken } from '../../shared/auth/tokens.js';
import { InvalidRequestError, NotFoundError } from '../../shared/errors.js';
import { decodePathSegment } from '../../shared/http/path.js';
import { type ErrorLogger, httpErrors, json, lowerHeaders } from '../../shared/http/responses.js';
import { type Observability, observe } from '../../shared/observability/index.js';
import { searchUsage } from '../../shared/usage/entries.js';
import type { UsageMeter } from '../../shared/usage/meter.js';
import { aggregateEvents, cancelQuery, getQuery, type SearchCoreDeps, searchEvents } from './core.js';

export interface SearchDeps extends SearchCoreDeps {
  /** Powertools logger, tracer and metrics; without it errors are logged to the console. */
  observability?: Observability;
  /** Usage per tenant and day (searches, bytes scanned). */
  usage?: UsageMeter;
}

export type SearchHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const consoleLogger: ErrorLogger = {
  error: (message, ...extra) => console.error(message, ...extra),
  warn: () => undefined,
};

export function createSearchHandler(deps: SearchDeps): SearchHandler {
  const logger: ErrorLogger = deps.observability?.logger ?? consoleLogger;

  const route = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext?.http?.method?.toUpperCase() ?? 'GET';
    const path = (event.rawPath ?? '/').replace(/\/+$/, '') || '/';
    const queryMatch = /^\/v1\/search\/([^/]+)$/.exec(path);
    const known =
      (method === 'POST' && (path === '/v1/search' || path === '/v1/aggregate')) ||
      ((method === 'GET' || method === 'DELETE') && queryMatch !== null);
    if (!known) throw new NotFoundError(`no route ${method} ${path}`);

    const claims = await verifyToken(
      await deps.keys.load(),
      bearerToken(lowerHeaders(event.headers)),
      deps.clock.now(),
    );
    const tenantId = requireScope(claims, 'search');
    deps.observability?.logger.appendKeys({ tenantId });

    const queryId = queryMatch?.[1] === undefined ? undefined : decodePathSegment(queryMatch[1]);
    // A segment that does not percent-decode names no query: as an unknown id, 404.
    if (queryId === null) throw new NotFoundError('no such query');
    const answer =
      queryId !== undefined
        ? method === 'DELETE'
          ? await cancelQuery(tenantId, queryId, deps)
          : await getQuery(tenantId, queryId, deps)
        : path === '/v1/search'
          ? await searchEvents(tenantId, readJson(event), deps)
          : await aggregateEvents(tenantId, readJson(event), deps);
    // A cancel answers no stats: what the stopped query scanned is not metered (docs/search.md).
    if (deps.usage && answer.status === 200 && 'stats' in answer.body) {
      deps.usage.record(searchUsage(tenantId, answer.body.stats));
      await deps.usage.flush();
    }
    return json(answer.status, answer.body);
  };

  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpErrors(logger))
    .handler(route);
  return deps.observability ? observe(handler, deps.observability) : handler;
}

function readJson(event: APIGatewayProxyEventV2): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (text.trim() === '') throw new InvalidRequestError('the body must be a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidRequestError('the body is not valid JSON', { cause: error });
  }
}
