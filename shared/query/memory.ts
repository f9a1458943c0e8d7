/**
 * In-memory limiter and registry: local mode (one process) and tests. Leases expire after
 * `leaseMs`, the same rule as the DynamoDB adapter, so a query nobody polls frees its slot.
 */
import { randomUUID } from 'node:crypto';
import { TooManyQueriesError } from '../errors.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { ConcurrencyLimiter, QueryRecord, QueryRegistry } from './ports.js';

export interface LimiterOptions {
  maxConcurrent: number;
  leaseMs: number;
  /** Seconds a client is told to wait (Retry-After). */
  retryAfterSeconds?: number;
  clock?: Clock;
}

export class InMemoryConcurrencyLimiter implements ConcurrencyLimiter {
  private readonly leases = new Map<string, Map<string, number>>();
  private readonly clock: Clock;
  constructor(private readonly options: LimiterOptions) {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1)
      throw new RangeError('maxConcurrent must be a positive integer');
    this.clock = options.clock ?? systemClock;
  }

  async acquire(tenantId: string): Promise<string> {
    const now = this.clock.now().getTime();
    const live = this.leases.get(tenantId) ?? new Map<string, number>();
    for (const [id, expires] of live) if (expires <= now) live.delete(id);
    if (live.size >= this.options.maxConcurrent) {
      throw new TooManyQueriesError(
        `this tenant already runs ${live.size} queries (at most ${this.options.maxConcurrent}); retry later`,
        { retryAfterSeconds: this.options.retryAfterSeconds ?? 2 },
      );
    }
    const id = randomUUID();
    live.set(id, now + this.options.leaseMs);
    this.leases.set(tenantId, live);
    return id;
  }

  async release(tenantId: string, leaseId: string): Promise<void> {
    this.leases.get(tenantId)?.delete(leaseId);
  }
}

export class InMemoryQueryRegistry implements QueryRegistry {
  private readonly records = new Map<string, QueryRecord>();
  constructor(private readonly clock: Clock = systemClock) {}

  async put(record: QueryRecord): Promise<void> {
    const now = this.clock.now().getTime();
    for (const [id, r] of this.records) if (r.expiresAt <= now) this.records.delete(id);
    this.records.set(record.queryId, { ...record });
  }

  async get(queryId: string): Promise<QueryRecord | null> {
    const record = this.records.get(queryId);
    if (!record || record.expiresAt <= this.clock.now().getTime()) return null;
    return { ...record };
  }

  async takeLease(queryId: string): Promise<string | null> {
    const record = this.records.get(queryId);
    if (!record) return null;
    const lease = record.leaseId;
    record.leaseId = null;
    return lease;
  }

  async markCancelled(queryId: string): Promise<void> {
    const record = this.records.get(queryId);
    if (record) record.cancelled = true;
  }
}
