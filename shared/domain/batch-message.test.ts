import { describe, expect, it } from '@jest/globals';
import {
  type BatchMessage,
  BatchMessageError,
  isClaimCheck,
  parseQueueMessage,
  spoolKey,
} from './batch-message.js';

const message: BatchMessage = {
  v: 1,
  tenantId: 'acme-corp',
  batchId: 'b-1',
  deviceId: 'pc-001',
  derivation: 'position',
  receivedAt: '2026-11-24T01:00:00.000Z',
  events: [
    { index: 0, deviceId: 'pc-001', event: { type: 'app', ts: '2026-11-24T09:15:02+09:00', app: 'x' } },
  ],
  rejects: [{ index: 1, reason: 'type: is required', event: 'not json' }],
};

describe('queue messages', () => {
  it('round-trips a batch message and a claim check', () => {
    // Act
    const batch = parseQueueMessage(JSON.stringify(message));
    const claim = parseQueueMessage(
      JSON.stringify({ v: 1, tenantId: 'acme-corp', claimCheck: spoolKey('acme-corp', 'abc') }),
    );
    // Assess
    expect(batch).toEqual(message);
    expect(isClaimCheck(claim)).toBe(true);
    expect(isClaimCheck(claim) && claim.claimCheck).toBe('spool/tenant_id=acme-corp/abc.json');
  });

  it.each([
    ['not JSON', '{'],
    ['another version', JSON.stringify({ ...message, v: 2 })],
    ['a bad tenant', JSON.stringify({ ...message, tenantId: 'A' })],
    [
      'an event of an unknown type',
      JSON.stringify({ ...message, events: [{ index: 0, deviceId: 'd', event: { type: 'x', ts: 't' } }] }),
    ],
    [
      'a claim check outside the tenant spool',
      JSON.stringify({ v: 1, tenantId: 'acme-corp', claimCheck: 'raw/x.json' }),
    ],
  ])('refuses %s', (_name, body) => {
    expect(() => parseQueueMessage(body)).toThrow(BatchMessageError);
  });
});
