/**
 * Reading an ingest body (CONTRACT.md "Ingest"): media type and encoding (415), the size limits
 * (413: as sent, decompressed, event count), and the two body formats.
 *
 * - JSON: `{batchId, deviceId?, events: [...]}`; a body that is not JSON or not this envelope is
 *   400 invalid_request with details.
 * - NDJSON: one event per line; blank lines are ignored; a line that is not JSON is a rejected
 *   event (kept with its text and reason), not a 400.
 *
 * Gzip is inflated as a stream and abandoned as soon as the output passes the cap, so a gzip bomb
 * costs at most `maxDecompressedBytes` of memory.
 */
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { nestingDepth } from '../domain/json-shape.js';
import { ID_PATTERN, LIMITS } from '../domain/limits.js';
import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.js';

export type BodyFormat = 'json' | 'ndjson';

export interface BodyLimits {
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  maxEventsPerBatch: number;
  /** Deeper events are rejected (default LIMITS.maxNestingDepth). */
  maxNestingDepth?: number;
}

export interface DecodedBody {
  format: BodyFormat;
  /** Bytes as sent (before decompression). */
  sentBytes: number;
  /** The body after decompression. */
  data: Buffer;
}

/** One event position of a body: a JSON value, or an NDJSON line that is not JSON. */
export type BodyEntry = { json: true; value: unknown } | { json: false; text: string; reason: string };

export interface ParsedBody {
  format: BodyFormat;
  batchId?: string;
  deviceId?: string;
  entries: BodyEntry[];
}

const MEDIA_TYPES: Record<string, BodyFormat> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
};

/** The body format named by Content-Type (parameters such as charset=utf-8 allowed), or 415. */
export function bodyFormat(contentType: string | undefined): BodyFormat {
  if (contentType === undefined) {
    throw new UnsupportedMediaTypeError('Content-Type must be application/json or application/x-ndjson');
  }
  const [mediaType = '', ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
  const format = MEDIA_TYPES[mediaType];
  if (format === undefined) {
    throw new UnsupportedMediaTypeError(
      `Content-Type ${mediaType || '(empty)'} is not supported; use application/json or application/x-ndjson`,
    );
  }
  for (const param of params) {
    const [name, value = ''] = param.split('=').map((part) => part.trim());
    if (name === 'charset' && !['utf-8', 'utf8', '"utf-8"'].includes(value)) {
      throw new UnsupportedMediaTypeError(`charset ${value} is not supported; send utf-8`);
    }
  }
  return format;
}

/** Content-Encoding: absent or `identity` (false), `gzip` (true); anything else is 415. */
export function isGzip(contentEncoding: string | undefined): boolean {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== '' && part !== 'identity');
  if (codings.length === 0) return false;
  if (codings.length === 1 && (codings[0] === 'gzip' || codings[0] === 'x-gzip')) return true;
  throw new UnsupportedMediaTypeError(
    `Content-Encoding ${contentEncoding} is not supported; send gzip or no encoding`,
  );
}

export interface RawRequestBody {
  contentType: string | undefined;
  contentEncoding: string | undefined;
  body: string | undefined;
  isBase64Encoded: boolean;
}

/** Checks media type, encoding and sizes, and inflates gzip with a cap. */
export async function decodeBody(request: RawRequestBody, limits: BodyLimits = LIMITS): Promise<DecodedBody> {
  const format = bodyFormat(request.contentType);
  const gzip = isGzip(request.contentEncoding);
  const sent = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');
  if (sent.length > limits.maxBodyBytes) {
    throw new PayloadTooLargeError(`body is ${sent.length} bytes, at most ${limits.maxBodyBytes} as sent`);
  }
  const data = gzip ? await gunzipCapped(sent, limits.maxDecompressedBytes) : sent;
  if (data.length > limits.maxDecompressedBytes) {
    throw new PayloadTooLargeError(`body is over ${limits.maxDecompressedBytes} bytes decompressed`);
  }
  return { format, sentBytes: sent.length, data };
}

/** Inflates gzip (multi-member too), stopping as soon as the output passes `cap` bytes (413). */
export function gunzipCapped(input: Uint8Array, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      reject(error);
    };
    gunzip.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > cap) {
        fail(new PayloadTooLargeError(`body is over ${cap} bytes decompressed`));
        return;
      }
      chunks.push(chunk);
    });
    gunzip.on('error', (error) =>
      fail(
        new InvalidRequestError('body is not valid gzip', {
          cause: error,
          details: [{ message: error.message }],
        }),
      ),
    );
    gunzip.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, total));
    });
    gunzip.end(input);
  });
}

const idField = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .regex(ID_PATTERN, 'must be 1-128 characters of [A-Za-z0-9._:@-]');

const envelopeSchema = z.object({
  batchId: idField,
  deviceId: idField.optional(),
  events: z
    .array(z.unknown(), {
      error: (issue) => (issue.input === undefined ? 'is required' : 'must be an array'),
    })
    .min(1, 'must hold at least one event'),
});

/** Parses a decoded body into its event positions; 400 / 413 as in the contract. */
export function parseBody(decoded: DecodedBody, limits: BodyLimits = LIMITS): ParsedBody {
  if (decoded.format === 'ndjson') return parseNdjsonBody(decoded.data, limits);
  const text = decodeUtf8(decoded.data);
  if (text === null) {
    throw new InvalidRequestError('body is not valid UTF-8', {
      details: [{ message: 'JSON bodies must be UTF-8 (RFC 8259)' }],
    });
  }
  return parseJsonBody(text, limits);
}

function parseJsonBody(text: string, limits: BodyLimits): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidRequestError('body is not valid JSON', {
      cause: error,
      details: [{ message: (error as Error).message }],
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidRequestError('body must be a JSON object {"batchId", "deviceId"?, "events": [...]}', {
      details: [{ field: '(root)', message: 'must be a JSON object' }],
    });
  }
  const events = (value as { events?: unknown }).events;
  if (Array.isArray(events) && events.length > limits.maxEventsPerBatch) {
    throw new PayloadTooLargeError(`batch has ${events.length} events, at most ${limits.maxEventsPerBatch}`);
  }
  const parsed = envelopeSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidRequestError('body is not a valid batch envelope', {
      details: parsed.error.issues.slice(0, 20).map((issue) => ({
        field: issue.path.join('.') || '(root)',
        message: issue.message,
      })),
    });
  }
  return {
    format: 'json',
    batchId: parsed.data.batchId,
    ...(parsed.data.deviceId === undefined ? {} : { deviceId: parsed.data.deviceId }),
    entries: parsed.data.events.map((event) => jsonEntry(event, limits)),
  };
}

/** A parsed event, or a rejected one when it nests deeper than any walk of it can safely go. */
function jsonEntry(value: unknown, limits: BodyLimits, line?: string): BodyEntry {
  const maxDepth = limits.maxNestingDepth ?? LIMITS.maxNestingDepth;
  if (nestingDepth(value, maxDepth) <= maxDepth) return { json: true, value };
  return {
    json: false,
    text: line === undefined ? '(not kept: nested too deep to store)' : line.slice(0, 1024),
    reason: `event nests deeper than ${maxDepth} levels`,
  };
}

/** UTF-8 that is not valid is refused, never silently replaced (strings come back byte for byte). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(data: Buffer): string | null {
  try {
    return UTF8.decode(data);
  } catch {
    return null;
  }
}

function parseNdjsonBody(data: Buffer, limits: BodyLimits): ParsedBody {
  const lines: { text: string; utf8: boolean }[] = [];
  for (let start = 0; start <= data.length; ) {
    const end = data.indexOf(0x0a, start);
    const bytes = data.subarray(start, end === -1 ? data.length : end);
    const text = decodeUtf8(bytes);
    const line = text ?? bytes.toString('utf8');
    if (line.trim() !== '') lines.push({ text: line, utf8: text !== null });
    if (end === -1) break;
    start = end + 1;
  }
  if (lines.length > limits.maxEventsPerBatch) {
    throw new PayloadTooLargeError(`batch has ${lines.length} events, at most ${limits.maxEventsPerBatch}`);
  }
  if (lines.length === 0) {
    throw new InvalidRequestError('body holds no event', {
      details: [{ message: 'an NDJSON body needs at least one non-blank line' }],
    });
  }
  const entries = lines.map(({ text, utf8 }): BodyEntry => {
    const trimmed = text.replace(/\r$/, '');
    if (!utf8) return { json: false, text: trimmed, reason: 'line is not valid UTF-8' };
    try {
      return jsonEntry(JSON.parse(trimmed), limits, trimmed);
    } catch (error) {
      return { json: false, text: trimmed, reason: `line is not JSON: ${(error as Error).message}` };
    }
  });
  return { format: 'ndjson', entries };
}
