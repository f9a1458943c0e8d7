import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.js';
import { bodyFormat, decodeBody, gunzipCapped, isGzip, parseBody } from './body.js';

describe('body reading', () => {
  it.each([
    ['application/json', 'json'],
    ['Application/JSON; charset=UTF-8', 'json'],
    ['application/x-ndjson', 'ndjson'],
  ])('reads Content-Type %s', (contentType, format) => {
    expect(bodyFormat(contentType)).toBe(format);
  });

  it('accepts identity and gzip encodings only', () => {
    expect(isGzip(undefined)).toBe(false);
    expect(isGzip('identity')).toBe(false);
    expect(isGzip('GZIP')).toBe(true);
    expect(() => isGzip('deflate')).toThrow(UnsupportedMediaTypeError);
  });

  it('inflates multi-member gzip and stops at the cap', async () => {
    // Prepare
    const twoMembers = Buffer.concat([gzipSync('hello '), gzipSync('world')]);
    const big = gzipSync(Buffer.alloc(10_000, 1));
    // Act
    const text = await gunzipCapped(twoMembers, 100);
    const outcome = gunzipCapped(big, 9_999);
    // Assess
    expect(text.toString()).toBe('hello world');
    await expect(outcome).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('applies the limits it is given (as sent, decompressed, events)', async () => {
    // Prepare
    const limits = { maxBodyBytes: 100, maxDecompressedBytes: 200, maxEventsPerBatch: 2 };
    const raw = (body: string | Buffer, base64 = false) => ({
      contentType: 'application/x-ndjson',
      contentEncoding: base64 ? 'gzip' : undefined,
      body: typeof body === 'string' ? body : body.toString('base64'),
      isBase64Encoded: base64,
    });
    // Act / Assess
    await expect(decodeBody(raw('x'.repeat(101)), limits)).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(decodeBody(raw(gzipSync('x'.repeat(201)), true), limits)).rejects.toBeInstanceOf(
      PayloadTooLargeError,
    );
    const three = await decodeBody(raw('{}\n{}\n{}'), limits);
    expect(() => parseBody(three, limits)).toThrow(PayloadTooLargeError);
  });

  it('never throws anything but contract errors on arbitrary JSON bodies', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        try {
          parseBody({ format: 'json', sentBytes: text.length, data: Buffer.from(text) });
        } catch (error) {
          expect(error instanceof InvalidRequestError || error instanceof PayloadTooLargeError).toBe(true);
        }
      }),
    );
  });

  it('keeps every non-blank NDJSON line as one entry, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.json(), fc.constant('not json'), fc.constant('')), { maxLength: 50 }),
        (lines) => {
          const expected = lines.filter((l) => l.trim() !== '');
          fc.pre(expected.length > 0 && lines.every((l) => !l.includes('\n')));
          const parsed = parseBody({ format: 'ndjson', sentBytes: 0, data: Buffer.from(lines.join('\n')) });
          expect(parsed.entries).toHaveLength(expected.length);
          parsed.entries.forEach((entry, i) => {
            if (entry.json) expect(entry.value).toEqual(JSON.parse(expected[i] ?? ''));
            else expect(entry.text).toBe(expected[i]);
          });
        },
      ),
    );
  });
});
