import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RateLimiter } from './rate-limiter.js';

function limiter(now: { t: number }, options: { expectedConcurrency?: number; burstSeconds?: number } = {}) {
  return new RateLimiter({
    limits: {
      default: { eventsPerSecond: 100, bytesPerSecond: 10_000 },
      tenants: { 'big-tenant': { eventsPerSecond: 1000, bytesPerSecond: 1_000_000 } },
    },
    burstSeconds: options.burstSeconds ?? 1,
    ...(options.expectedConcurrency === undefined
      ? {}
      : { expectedConcurrency: options.expectedConcurrency }),
    now: () => now.t,
  });
}

describe('RateLimiter', () => {
  it('lets a burst through, then refuses with the seconds until the bucket refills', () => {
    // Prepare
    const now = { t: 0 };
    const rl = limiter(now);
    // Act
    const first = rl.take('acme-corp', 100, 100);
    const second = rl.take('acme-corp', 50, 100);
    now.t = 500;
    const third = rl.take('acme-corp', 50, 100);
    // Assess
    expect(first).toEqual({ allowed: true });
    expect(second).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(third).toEqual({ allowed: true });
  });

  it('limits on bytes as well as events, and takes from neither when one refuses', () => {
    // Prepare
    const now = { t: 0 };
    const rl = limiter(now);
    // Act
    const tooManyBytes = rl.take('acme-corp', 1, 10_001);
    const small = rl.take('acme-corp', 100, 10_000);
    // Assess
    expect(tooManyBytes.allowed).toBe(true); // above capacity, bucket full: passes into debt
    expect(small).toEqual({ allowed: false, retryAfterSeconds: 2 });
  });

  it('applies per-tenant overrides and keeps tenants apart', () => {
    // Prepare
    const rl = limiter({ t: 0 });
    // Act
    const big = rl.take('big-tenant', 900, 1000);
    const other = rl.take('acme-corp', 100, 1000);
    // Assess
    expect(big.allowed).toBe(true);
    expect(other.allowed).toBe(true);
    expect(rl.rateOf('big-tenant').eventsPerSecond).toBe(1000);
  });

  it('divides the rate by the expected concurrency (local strategy)', () => {
    // Prepare
    const rl = limiter({ t: 0 }, { expectedConcurrency: 4 });
    // Act
    const rate = rl.rateOf('acme-corp');
    // Assess
    expect(rate).toEqual({ eventsPerSecond: 25, bytesPerSecond: 2500 });
  });

  it('never lets more than rate x time + burst through, whatever the request pattern', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ gapMs: fc.integer({ min: 0, max: 300 }), events: fc.integer({ min: 1, max: 60 }) }),
          {
            maxLength: 200,
          },
        ),
        (requests) => {
          // Prepare
          const now = { t: 0 };
          const rl = limiter(now);
          let passed = 0;
          // Act
          for (const r of requests) {
            now.t += r.gapMs;
            if (rl.take('acme-corp', r.events, 1).allowed) passed += r.events;
          }
          // Assess
          expect(passed).toBeLessThanOrEqual(100 + (now.t / 1000) * 100 + 1e-6);
        },
      ),
    );
  });

  it('gives a tenant named like an Object.prototype member ("constructor") the default rate', () => {
    // Prepare
    const now = { t: 0 };
    const rl = limiter(now);
    // Act
    const rate = rl.rateOf('constructor');
    const first = rl.take('constructor', 100, 100);
    const second = rl.take('constructor', 1, 1);
    // Assess
    expect(rate).toEqual({ eventsPerSecond: 100, bytesPerSecond: 10_000 });
    expect(first).toEqual({ allowed: true });
    expect(second).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});
