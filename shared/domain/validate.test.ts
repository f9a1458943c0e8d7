import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseTimestamp, validateEvent, validateEventWithSchema } from './validate.js';

describe('validateEvent', () => {
  it('accepts the contract example and keeps unknown fields in attrs', () => {
    // Prepare
    const sent = {
      eventId: 'e-1',
      type: 'app',
      ts: '2026-11-24T09:15:02.123+09:00',
      app: 'excel.exe',
      cpu: 3,
    };
    // Act
    const verdict = validateEvent(sent);
    // Assess
    expect(verdict).toEqual({
      ok: true,
      event: {
        eventId: 'e-1',
        type: 'app',
        ts: '2026-11-24T09:15:02.123+09:00',
        app: 'excel.exe',
        attrs: { cpu: 3 },
      },
    });
  });

  it.each([
    [{ type: 'app', ts: '2026-11-24T09:15:02+09:00' }, 'app: is required for type app'],
    [
      { type: 'web', ts: '2026-11-24T09:15:02Z', url: 'ftp://x.example/' },
      'url: must be an absolute http or https URL',
    ],
    [{ type: 'file', ts: '2026-11-24T09:15:02Z', path: 'C:/a', op: 'chmod' }, 'op: must be one of'],
    [
      { type: 'logon', ts: '2026-11-24T09:15:02', op: 'logon' },
      'ts: must be an RFC 3339 time with an offset',
    ],
    [{ type: 'print', ts: '2026-02-30T09:15:02Z' }, 'ts: must be an RFC 3339'],
    [{ type: 'mouse', ts: '2026-11-24T09:15:02Z' }, 'type: must be one of'],
    [{ type: 'app', ts: '2026-11-24T09:15:02Z', app: 'a', durationMs: -1 }, 'durationMs: must be >= 0'],
    [{ type: 'app', ts: '2026-11-24T09:15:02Z', app: 'a', eventId: 'bad id' }, 'eventId: must be 1-128'],
    [
      { type: 'app', ts: '2026-11-24T09:15:02Z', app: 'a', title: 'x'.repeat(1025) },
      'title: must be at most 1024',
    ],
    [
      { type: 'app', ts: '2026-11-24T09:15:02Z', app: 'a', blob: 'x'.repeat(9000) },
      'attrs: extra fields take',
    ],
    [[1, 2], 'event must be a JSON object'],
    [{ ts: '2026-11-24T09:15:02Z' }, 'type: is required'],
  ])('rejects an event: %#', (sent, reason) => {
    const verdict = validateEvent(sent);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).toContain(reason);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const verdict = validateEvent(value);
        expect(typeof verdict.ok).toBe('boolean');
      }),
    );
  });
});

describe('validateEvent fast path', () => {
  // Mostly valid values (so both sides of the fast path run), and values at every rule's edge.
  const mostly = (valid: fc.Arbitrary<unknown>, edge: fc.Arbitrary<unknown>) =>
    fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: edge, weight: 1 });
  const text = (max: number) =>
    mostly(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.oneof(
        fc.constantFrom(
          '',
          'x'.repeat(max),
          'x'.repeat(max + 1),
          '日本'.repeat(max / 2),
          '😀'.repeat(max / 2 + 1),
        ),
        fc.integer(),
        fc.constant(null),
        fc.boolean(),
      ),
    );
  const id = mostly(
    fc.constantFrom('e-1', 'a'.repeat(128), 'x:y@z.1_-'),
    fc.oneof(
      fc.constantFrom('a'.repeat(129), '', 'bad id', 'é'),
      fc.string({ maxLength: 4 }),
      fc.integer(),
      fc.constant(null),
    ),
  );
  const fields: Record<string, fc.Arbitrary<unknown>> = {
    eventId: id,
    deviceId: id,
    type: mostly(
      fc.constantFrom('app', 'web', 'file', 'logon', 'device', 'print'),
      fc.constantFrom('App', '', 3),
    ),
    ts: mostly(
      fc.constantFrom(
        '2026-11-24T09:15:02.123+09:00',
        '2026-11-24T09:15:02Z',
        '2026-11-24t09:15:02.123456789z',
      ),
      fc.oneof(
        fc.constantFrom(
          '2026-11-24T09:15:02',
          '2026-02-30T09:15:02Z',
          '1969-12-31T23:59:59Z',
          '2026-11-24T09:15:02+24:00',
        ),
        fc.integer(),
        fc.constant(null),
      ),
    ),
    user: text(256),
    host: text(256),
    app: text(256),
    title: text(1024),
    url: mostly(
      fc.oneof(
        fc.constantFrom('https://intra.example.co.jp/wiki?q=1', 'http://x', 'HTTPS://EXAMPLE.COM'),
        fc.webUrl(),
      ),
      fc.oneof(
        fc.constantFrom(
          'ftp://x.example/',
          'https://',
          'not a url',
          'file:///etc/passwd',
          `https://a.example/${'p'.repeat(8200)}`,
        ),
        fc.integer(),
      ),
    ),
    path: text(4096),
    op: mostly(
      fc.constantFrom(
        'create',
        'modify',
        'delete',
        'rename',
        'copy',
        'move',
        'logon',
        'logoff',
        'lock',
        'unlock',
      ),
      fc.oneof(fc.constantFrom('chmod', ''), fc.integer(), fc.constant(null)),
    ),
    durationMs: mostly(
      fc.nat(),
      fc.oneof(
        fc.constantFrom(
          -0,
          -1,
          1.5,
          Number.MAX_SAFE_INTEGER,
          Number.MAX_SAFE_INTEGER + 1,
          2 ** 60,
          Number.NaN,
          '5',
        ),
        fc.integer(),
        fc.double(),
        fc.constant(null),
      ),
    ),
  };
  const optional = Object.keys(fields).filter((key) => key !== 'type' && key !== 'ts');
  const event = fc
    .tuple(
      fc.shuffledSubarray(optional),
      fc.constantFrom(['type', 'ts'], ['type', 'ts'], ['type', 'ts'], ['ts'], ['type'], []),
      fc.record(fields),
      fc.dictionary(
        fc.constantFrom('cpu', 'pid', 'x', '__proto__', 'constructor'),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    )
    .map(([keys, required, values, extra]) => {
      const out: Record<string, unknown> = {};
      for (const key of [...required, ...keys]) out[key] = values[key];
      for (const [key, value] of Object.entries(extra))
        Object.defineProperty(out, key, { value, enumerable: true });
      return out;
    });

  it('gives exactly the verdict and the event the schema gives, field order included', () => {
    let accepted = 0;
    fc.assert(
      fc.property(event, (sent) => {
        const fast = validateEvent(sent);
        if (fast.ok) accepted++;
        const reference = validateEventWithSchema(sent);
        expect(fast).toEqual(reference);
        expect(JSON.stringify(fast)).toBe(JSON.stringify(reference));
      }),
      { numRuns: 5000 },
    );
    // Both sides of the fast path were exercised, not only the rejects.
    expect(accepted).toBeGreaterThan(250);
  });

  it("writes fields in the schema's order and keeps a field named __proto__ in attrs", () => {
    const sent = JSON.parse(
      '{"durationMs":5,"app":"excel.exe","ts":"2026-11-24T09:15:02Z","type":"app","__proto__":{"a":1}}',
    );
    const verdict = validateEvent(sent);
    expect(JSON.stringify(verdict)).toBe(
      '{"ok":true,"event":{"type":"app","ts":"2026-11-24T09:15:02Z","app":"excel.exe","durationMs":5,"attrs":{"__proto__":{"a":1}}}}',
    );
  });
});

describe('parseTimestamp', () => {
  it('reads offsets and fractions', () => {
    expect(parseTimestamp('2026-11-24T09:15:02.123+09:00')).toBe(Date.UTC(2026, 10, 24, 0, 15, 2, 123));
    expect(parseTimestamp('2026-11-24T00:15:02.123456Z')).toBe(Date.UTC(2026, 10, 24, 0, 15, 2, 123));
    expect(parseTimestamp('1969-12-31T23:59:59Z')).toBeNull();
  });

  it('round-trips any time in range through toISOString', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-02T00:00:00Z'),
          max: new Date('9999-12-30T00:00:00Z'),
          noInvalidDate: true,
        }),
        (d) => {
          expect(parseTimestamp(d.toISOString())).toBe(d.getTime());
        },
      ),
    );
  });
});
