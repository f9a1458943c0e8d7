/**
 * The ingest Lambda handler, for any set of adapters: the AWS composition root (handler.ts)
 * and the local dev server both build it from their own IngestDeps. It takes function URL
 * events (payload v2: rawPath, requestContext.http.method, base64 body when isBase64Encoded).
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { httpErrors, lowerHeaders } from '../../shared/http/responses.js';
import { observe } from '../../shared/observability/index.js';
import { createIngest, type IngestDeps, type IngestRequest } from './ingest.js';

export type { IngestConfig, IngestDeps } from './ingest.js';
export { DEFAULT_INGEST_CONFIG } from './ingest.js';

export function toIngestRequest(event: APIGatewayProxyEventV2): IngestRequest {
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? '/',
    headers: lowerHeaders(event.headers),
    body: event.body,
    isBase64Encoded: event.isBase64Encoded === true,
  };
}

export function createIngestHandler(
  deps: IngestDeps,
): (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2> {
  const ingest = createIngest(deps);
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(httpErrors(deps.obs.logger))
    .handler(async (event, context) => ingest(toIngestRequest(event), context));
  return observe(handler, deps.obs);
}
