/** Every row of the contract's error table that applies to ingest, each with its status and code. */
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type KeySet, newKeySet, signToken } from '../../shared/auth/tokens.js';
import { appEvent, jsonBatch, type Kit, makeKit, NOW, TENANT, urlEvent } from './test-kit.js';

let kit: Kit;

afterEach(async () => {
  await kit.cleanup();
});

function errorCode(json: Record<string, unknown>): unknown {
  return (json.error as { code?: unknown } | undefined)?.code;
}

describe('ingest: contract errors', () => {
  let token: string;

  beforeEach(async () => {
    kit = await makeKit();
    token = await kit.token({ sub: 'pc-001' });
  });

  it.each([
    ['malformed JSON', '{"batchId": "b-1", "events": [', 'body is not valid JSON'],
    ['a body that is not an object', '[1,2]', 'must be a JSON object'],
    ['events not an array', '{"batchId": "b-1", "events": {}}', 'events'],
    ['a missing batchId', '{"events": [{}]}', 'batchId'],
    ['a bad batchId', '{"batchId": "b 1", "events": [{}]}', 'batchId'],
    ['an empty batch', '{"batchId": "b-1", "events": []}', 'at least one event'],
  ])('answers 400 invalid_request to %s', async (_name, body, hint) => {
    // Act
    const answer = await kit.handle(urlEvent(body, { token }));
    // Assess
    expect(answer.status).toBe(400);
    expect(errorCode(answer.json)).toBe('invalid_request');
    expect(JSON.stringify(answer.json)).toContain(hint);
  });

  it('answers 400 to a malformed Idempotency-Key or X-Device-Id', async () => {
    // Act
    const badKey = await kit.handle(
      urlEvent('{}', { token, contentType: 'application/x-ndjson', headers: { 'idempotency-key': 'a b' } }),
    );
    const badDevice = await kit.handle(
      urlEvent(jsonBatch('b-1', [appEvent(1)]), { token, headers: { 'x-device-id': 'pc/1' } }),
    );
    // Assess
    expect([badKey.status, badDevice.status]).toEqual([400, 400]);
  });

  it('answers 400 to a gzip body that is not gzip', async () => {
    // Act
    const answer = await kit.handle(urlEvent(Buffer.from('plain'), { token, contentEncoding: 'gzip' }));
    // Assess
    expect(answer.status).toBe(400);
    expect(errorCode(answer.json)).toBe('invalid_request');
  });

  describe('401 unauthorized', () => {
    let other: KeySet;
    beforeEach(() => {
      other = newKeySet('k1');
    });

    it.each<[string, () => Promise<Record<string, string> | undefined>]>([
      ['a missing token', async () => undefined],
      ['a malformed Authorization header', async () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
      ['a malformed token', async () => ({ authorization: 'Bearer not.a.jwt' })],
      [
        'an expired token',
        async () => ({
          authorization: `Bearer ${await signToken(kit.keySet, { tenantId: TENANT, scope: 'ingest', ttlSeconds: 60 }, new Date(NOW.getTime() - 3_600_000))}`,
        }),
      ],
      [
        'a forged token (same kid, other secret)',
        async () => ({
          authorization: `Bearer ${await signToken(other, { tenantId: TENANT, scope: 'ingest', ttlSeconds: 60 }, NOW)}`,
        }),
      ],
      [
        'a token signed with an unknown kid',
        async () => ({
          authorization: `Bearer ${await signToken(newKeySet('k-unknown'), { tenantId: TENANT, scope: 'ingest', ttlSeconds: 60 }, NOW)}`,
        }),
      ],
    ])('for %s', async (_name, headers) => {
      // Prepare
      const h = await headers();
      // Act
      const answer = await kit.handle(
        urlEvent(jsonBatch('b-1', [appEvent(1)]), { token: null, ...(h ? { headers: h } : {}) }),
      );
      // Assess
      expect(answer.status).toBe(401);
      expect(errorCode(answer.json)).toBe('unauthorized');
      expect(kit.queue.sent).toHaveLength(0);
    });
  });

  it.each([['search'], ['admin']] as const)('answers 403 forbidden to a %s token', async (scope) => {
    // Prepare
    const wrong = await kit.token({ scope });
    // Act
    const answer = await kit.handle(urlEvent(jsonBatch('b-1', [appEvent(1)]), { token: wrong }));
    // Assess
    expect(answer.status).toBe(403);
    expect(errorCode(answer.json)).toBe('forbidden');
  });

  it('answers 403 forbidden when the body deviceId or X-Device-Id is not the token sub', async () => {
    // Act
    const byBody = await kit.handle(urlEvent(jsonBatch('b-1', [appEvent(1)], 'pc-002'), { token }));
    const byHeader = await kit.handle(
      urlEvent(jsonBatch('b-1', [appEvent(1)]), { token, headers: { 'x-device-id': 'pc-002' } }),
    );
    // Assess
    expect([byBody.status, byHeader.status]).toEqual([403, 403]);
    expect(errorCode(byBody.json)).toBe('forbidden');
    expect(kit.queue.sent).toHaveLength(0);
  });

  it.each([
    ['GET', '/v1/events'],
    ['PUT', '/v1/events'],
    ['POST', '/v1/event'],
    ['POST', '/'],
  ])('answers 404 not_found to %s %s', async (method, path) => {
    // Act
    const answer = await kit.handle(urlEvent(jsonBatch('b-1', [appEvent(1)]), { token, method, path }));
    // Assess
    expect(answer.status).toBe(404);
    expect(errorCode(answer.json)).toBe('not_found');
  });

  it('answers 413 to a body over 6 MB as sent', async () => {
    // Prepare
    const body = jsonBatch('b-1', [appEvent(1, { title: 'x' })]).replace(
      '"x"',
      `"${'x'.repeat(6 * 1024 * 1024)}"`,
    );
    // Act
    const answer = await kit.handle(urlEvent(body, { token }));
    // Assess
    expect(answer.status).toBe(413);
    expect(errorCode(answer.json)).toBe('payload_too_large');
  });

  it('answers 413 to a gzip bomb (over 32 MB decompressed) without inflating it all', async () => {
    // Prepare
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20), { level: 9 });
    const before = process.memoryUsage().rss;
    // Act
    const answer = await kit.handle(urlEvent(bomb, { token, contentEncoding: 'gzip' }));
    // Assess
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(answer.status).toBe(413);
    expect(errorCode(answer.json)).toBe('payload_too_large');
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
  });

  it.each([
    [
      'JSON',
      'application/json',
      jsonBatch(
        'b-1',
        Array.from({ length: 5001 }, (_, i) => appEvent(i)),
      ),
    ],
    [
      'NDJSON',
      'application/x-ndjson',
      Array.from({ length: 5001 }, (_, i) => JSON.stringify(appEvent(i))).join('\n'),
    ],
  ])('answers 413 to a %s batch of more than 5,000 events', async (_name, contentType, body) => {
    // Act
    const answer = await kit.handle(urlEvent(body, { token, contentType }));
    // Assess
    expect(answer.status).toBe(413);
    expect(errorCode(answer.json)).toBe('payload_too_large');
  });

  it.each([
    ['no Content-Type', { contentType: null }],
    ['text/plain', { contentType: 'text/plain' }],
    ['a non-UTF-8 charset', { contentType: 'application/json; charset=iso-8859-1' }],
    ['Content-Encoding br', { contentEncoding: 'br' }],
    ['Content-Encoding gzip, br', { contentEncoding: 'gzip, br' }],
  ])('answers 415 unsupported_media_type to %s', async (_name, options) => {
    // Act
    const answer = await kit.handle(urlEvent(jsonBatch('b-1', [appEvent(1)]), { token, ...options }));
    // Assess
    expect(answer.status).toBe(415);
    expect(errorCode(answer.json)).toBe('unsupported_media_type');
  });

  it('answers 429 rate_limited with Retry-After when the tenant is over its rate', async () => {
    // Prepare
    await kit.cleanup();
    kit = await makeKit({
      limits: {
        default: { eventsPerSecond: 1e6, bytesPerSecond: 1e9 },
        tenants: { [TENANT]: { eventsPerSecond: 2, bytesPerSecond: 1e9 } },
      },
    });
    token = await kit.token({ sub: 'pc-001' });
    const four = jsonBatch('b-1', [appEvent(1), appEvent(2), appEvent(3), appEvent(4)]);
    // Act
    const first = await kit.handle(urlEvent(four, { token }));
    const second = await kit.handle(urlEvent(jsonBatch('b-2', [appEvent(1)]), { token }));
    const otherTenant = await kit.handle(
      urlEvent(jsonBatch('b-2', [appEvent(1)]), {
        token: await kit.token({ tenantId: 'globex', sub: 'pc-001' }),
      }),
    );
    // Assess
    expect(first.status).toBe(202);
    expect(second.status).toBe(429);
    expect(errorCode(second.json)).toBe('rate_limited');
    expect(second.headers['retry-after']).toBe('1');
    expect(otherTenant.status).toBe(202);
  });
});
