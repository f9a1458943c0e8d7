/**
 * Per-tenant ingest rate limits: two token buckets per tenant (events/s and bytes/s), with a
 * default and per-tenant overrides (Loki's `ingestion_rate_mb` + runtime overrides).
 *
 * Strategy: "local" (Loki's `ingestion_rate_strategy: local`). Each Lambda instance enforces
 * `rate / expectedConcurrency` on its own, in memory, so the limit costs nothing per request.
 * The trade-off versus an exact global limit:
 * - exact global (a DynamoDB counter per tenant and second, one conditional UpdateItem per
 *   request): precise whatever the spread, but one more write (latency, ~$1.25 per million
 *   requests, a hot key per busy tenant) on every request and a new failure mode on the hot path;
 * - local: free and never unavailable, but approximate: a tenant whose traffic lands on fewer
 *   instances than expected gets less than its rate, and more instances than expected let it
 *   through at up to `instances / expectedConcurrency` times its rate. Good enough to shield the
 *   pipeline from a runaway agent, which is the point; billing-grade quotas would need the
 *   global counter.
 *
 * A bucket holds `burstSeconds` worth of its rate. A request larger than a full bucket (one big
 * batch on a small rate) is let through when the bucket is full and leaves it in debt, so it is
 * never refused forever; the debt is paid back before the next request passes.
 */
import { z } from 'zod';

export interface Rate {
  eventsPerSecond: number;
  bytesPerSecond: number;
}

export interface RateLimitConfig {
  default: Rate;
  tenants?: Record<string, Rate>;
}

export const rateSchema = z.object({
  eventsPerSecond: z.number().positive(),
  bytesPerSecond: z.number().positive(),
});

/** Shape of OPLAKE_INGEST_RATE_LIMITS. */
export const rateLimitConfigSchema = z.object({
  default: rateSchema,
  tenants: z.record(z.string(), rateSchema).optional(),
});

export const DEFAULT_RATE_LIMITS: RateLimitConfig = Object.freeze({
  default: Object.freeze({ eventsPerSecond: 2000, bytesPerSecond: 4 * 1024 * 1024 }),
});

export interface RateLimiterOptions {
  limits: RateLimitConfig;
  /** Instances expected to share a tenant's traffic; each enforces rate / this. Default 1. */
  expectedConcurrency?: number;
  /** How many seconds of rate a bucket holds. Default 2. */
  burstSeconds?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

interface TenantBuckets {
  events: Bucket;
  bytes: Bucket;
}

export class RateLimiter {
  private readonly buckets = new Map<string, TenantBuckets>();
  private readonly concurrency: number;
  private readonly burstSeconds: number;
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    this.concurrency = Math.max(1, options.expectedConcurrency ?? 1);
    this.burstSeconds = options.burstSeconds ?? 2;
    if (!(this.burstSeconds > 0)) throw new RangeError('burstSeconds must be positive');
    this.now = options.now ?? Date.now;
  }

  /** The per-instance rate of a tenant. */
  rateOf(tenantId: string): Rate {
    // Own keys only: "constructor" is a valid tenant id and must not find Object.prototype's.
    const tenants = this.options.limits.tenants;
    const rate =
      (tenants && Object.hasOwn(tenants, tenantId) ? tenants[tenantId] : undefined) ??
      this.options.limits.default;
    return {
      eventsPerSecond: rate.eventsPerSecond / this.concurrency,
      bytesPerSecond: rate.bytesPerSecond / this.concurrency,
    };
  }

  /** Takes `events` and `bytes` from the tenant's buckets, both or neither. */
  take(tenantId: string, events: number, bytes: number): RateVerdict {
    const rate = this.rateOf(tenantId);
    const now = this.now();
    const buckets = this.bucketsOf(tenantId, rate, now);
    const eventWait = this.refill(buckets.events, rate.eventsPerSecond, now, events);
    const byteWait = this.refill(buckets.bytes, rate.bytesPerSecond, now, bytes);
    const wait = Math.max(eventWait, byteWait);
    if (wait > 0) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
    buckets.events.tokens -= events;
    buckets.bytes.tokens -= bytes;
    return { allowed: true };
  }

  private bucketsOf(tenantId: string, rate: Rate, now: number): TenantBuckets {
    let buckets = this.buckets.get(tenantId);
    if (buckets === undefined) {
      buckets = {
        events: { tokens: rate.eventsPerSecond * this.burstSeconds, updatedAt: now },
        bytes: { tokens: rate.bytesPerSecond * this.burstSeconds, updatedAt: now },
      };
      this.buckets.set(tenantId, buckets);
    }
    return buckets;
  }

  /** Refills the bucket to `now`; answers the seconds to wait before `cost` may pass (0: now). */
  private refill(bucket: Bucket, perSecond: number, now: number, cost: number): number {
    const capacity = perSecond * this.burstSeconds;
    const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * perSecond);
    bucket.updatedAt = now;
    // A cost above capacity passes on a full bucket (and leaves it in debt).
    const needed = Math.min(cost, capacity);
    if (bucket.tokens >= needed) return 0;
    return (needed - bucket.tokens) / perSecond;
  }
}
