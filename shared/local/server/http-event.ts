/**
 * The function URL's side of local mode: an HTTP request becomes the APIGatewayProxyEventV2 a
 * Lambda function URL would deliver (payload version 2.0), and a handler's structured answer
 * becomes the HTTP response, verbatim.
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Content types a function URL passes as text; everything else (and any encoded body) is base64. */
const TEXT_TYPE = /^(text\/|application\/(json|x-ndjson|ndjson|xml|x-www-form-urlencoded|[\w.+-]+\+json))/i;

export interface RequestFacts {
  sourceIp?: string;
  now?: Date;
  /** Stop reading a body past this many bytes (a chunked upload declares no length). */
  maxBodyBytes?: number;
}

/** A body read up to `max` bytes; `over` when the sender had more (the rest is not read). */
async function readBody(request: Request, max: number): Promise<{ bytes: Buffer; over: boolean }> {
  if (!request.body) return { bytes: Buffer.alloc(0), over: false };
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return { bytes: Buffer.alloc(0), over: true };
    }
    chunks.push(value);
  }
  return { bytes: Buffer.concat(chunks, total), over: false };
}

export class BodyTooLargeError extends Error {
  constructor(readonly maxBodyBytes: number) {
    super(`body is over ${maxBodyBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export async function toFunctionUrlEvent(
  request: Request,
  facts: RequestFacts = {},
): Promise<APIGatewayProxyEventV2> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    if (name !== 'cookie') headers[name.toLowerCase()] = value;
  });
  const cookies = request.headers.get('cookie')?.split(/;\s*/).filter(Boolean);
  // Null prototype: a parameter named `constructor` or `__proto__` is a parameter like any other.
  const query = Object.create(null) as Record<string, string>;
  for (const [name, value] of url.searchParams)
    query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
  const max = facts.maxBodyBytes ?? Number.POSITIVE_INFINITY;
  const { bytes, over } = await readBody(request, max);
  if (over) throw new BodyTooLargeError(max);
  // Bytes that are not UTF-8 go base64 whatever the type says, so the handler sees them as sent
  // (and refuses them) instead of text with U+FFFD in their place.
  const isText =
    !headers['content-encoding'] && TEXT_TYPE.test(headers['content-type'] ?? '') && isUtf8(bytes);
  const event = functionUrlEvent({
    method: request.method,
    path: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    host: url.host,
    ...(facts.sourceIp === undefined ? {} : { sourceIp: facts.sourceIp }),
    ...(facts.now === undefined ? {} : { now: facts.now }),
    ...(bytes.byteLength > 0 ? { body: bytes, base64: !isText } : {}),
  });
  if (cookies?.length) event.cookies = cookies;
  if (Object.keys(query).length) event.queryStringParameters = query;
  return event;
}

export interface FunctionUrlRequest {
  method: string;
  path: string;
  rawQueryString?: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  host?: string;
  sourceIp?: string;
  now?: Date;
  body?: Buffer | string;
  /** Deliver the body base64-encoded (binary or content-encoded bodies), as Lambda does. */
  base64?: boolean;
}

/** The payload-2.0 event a function URL delivers for one request (also used by tests). */
export function functionUrlEvent(request: FunctionUrlRequest): APIGatewayProxyEventV2 {
  const now = request.now ?? new Date();
  const host = request.host ?? 'localhost';
  const method = request.method.toUpperCase();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: request.rawQueryString ?? '',
    headers: request.headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (request.body !== undefined) {
    const bytes = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
    event.body = request.base64 ? bytes.toString('base64') : bytes.toString('utf8');
    event.isBase64Encoded = request.base64 === true;
  }
  return event;
}

export function toResponse(result: APIGatewayProxyStructuredResultV2): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(result.headers ?? {})) headers.set(name, String(value));
  for (const cookie of result.cookies ?? []) headers.append('set-cookie', cookie);
  const status = result.statusCode ?? 200;
  const noBody = status === 204 || status === 304 || result.body === undefined;
  const body = noBody
    ? null
    : result.isBase64Encoded
      ? Buffer.from(result.body ?? '', 'base64')
      : (result.body ?? '');
  return new Response(body, { status, headers });
}
