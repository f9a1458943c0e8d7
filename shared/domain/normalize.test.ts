import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { STORED_COLUMNS } from './event.js';
import { contentEventId, positionalEventId } from './ids.js';
import { domainOf, normalizeEvent } from './normalize.js';

const ctx = {
  tenantId: 'acme-corp',
  batchId: 'b-1',
  receivedAt: '2026-11-24T00:20:00.000Z',
  derivation: 'position' as const,
};

describe('normalizeEvent', () => {
  it('builds a row with exactly the stored columns, in order', () => {
    // Act
    const row = normalizeEvent(
      { index: 0, deviceId: 'pc-001', event: { type: 'app', ts: '2026-11-24T09:15:02+09:00', app: 'a' } },
      ctx,
    );
    // Assess
    expect(Object.keys(row)).toEqual([...STORED_COLUMNS]);
  });

  it('turns the time to UTC with milliseconds and the partition to its UTC date', () => {
    const row = normalizeEvent(
      { index: 0, deviceId: 'pc-001', event: { type: 'app', ts: '2026-11-25T08:59:59.5+09:00', app: 'a' } },
      ctx,
    );
    expect(row.ts).toBe('2026-11-24T23:59:59.500Z');
    expect(row.dt).toBe('2026-11-24');
  });

  it('derives a lower-case domain and keeps extra fields as JSON text', () => {
    const row = normalizeEvent(
      {
        index: 3,
        deviceId: 'pc-001',
        event: {
          type: 'web',
          ts: '2026-11-24T00:00:00Z',
          url: 'https://Intra.Example.CO.JP:8443/a?q=1',
          attrs: { tab: 2 },
        },
      },
      ctx,
    );
    expect(row.domain).toBe('intra.example.co.jp');
    expect(row.attrs).toBe('{"tab":2}');
    expect(row.event_id).toBe(positionalEventId('acme-corp', 'pc-001', 'b-1', 3));
  });

  it('derives content ids that ignore key order and depend on tenant and device', () => {
    const a = contentEventId('acme-corp', 'pc-001', { type: 'app', ts: 't', app: 'x' });
    expect(contentEventId('acme-corp', 'pc-001', { app: 'x', ts: 't', type: 'app' })).toBe(a);
    expect(contentEventId('other-co', 'pc-001', { type: 'app', ts: 't', app: 'x' })).not.toBe(a);
    expect(contentEventId('acme-corp', 'pc-002', { type: 'app', ts: 't', app: 'x' })).not.toBe(a);
  });

  it('keeps derived ids inside the id rule', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(), (device, batch, index) => {
        expect(positionalEventId('acme-corp', device, batch, index)).toMatch(/^[A-Za-z0-9._:@-]{1,128}$/);
      }),
    );
  });

  it('strips a trailing dot from host names', () => {
    expect(domainOf('http://example.com./x')).toBe('example.com');
  });
});
