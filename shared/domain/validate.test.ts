import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseTimestamp, validateEvent } from './validate.js';

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
