/**
 * Operator routes of local mode (`/v1/admin/...`, scope `admin`): the token check and the error
 * mapping in one place, so an operation is just `(event) => summary`. Later operations
 * (nightly, tenant delete) register the same way:
 *
 *   routes.add({ method: 'POST', path: '/v1/admin/nightly', functionName: 'admin',
 *                handler: adminRoute(deps, async (event) => runNightly(parseDate(event.body))) });
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { bearerToken, type KeySetSource, requireScope, verifyToken } from '../../auth/tokens.js';
import { InvalidRequestError } from '../../errors.js';
import { type ErrorLogger, errorResult, json, lowerHeaders } from '../../http/responses.js';
import type { Clock } from '../../ports/clock.js';
import type { RouteHandler } from './routes.js';

export interface AdminRouteDeps {
  keys: KeySetSource;
  clock: Clock;
  logger: ErrorLogger;
}

export type AdminAction = (event: APIGatewayProxyEventV2) => Promise<unknown>;

export function adminRoute(deps: AdminRouteDeps, action: AdminAction): RouteHandler {
  return async (event) => {
    try {
      const claims = await verifyToken(
        await deps.keys.load(),
        bearerToken(lowerHeaders(event.headers)),
        deps.clock.now(),
      );
      requireScope(claims, 'admin');
      return json(200, await action(event));
    } catch (error) {
      return errorResult(error, deps.logger);
    }
  };
}

/** The JSON object body of an admin request; an absent body is `{}`. */
export function jsonBody(event: APIGatewayProxyEventV2): Record<string, unknown> {
  if (event.body === undefined || event.body === '') return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidRequestError('body is not JSON', { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidRequestError('body must be a JSON object');
  return value as Record<string, unknown>;
}
