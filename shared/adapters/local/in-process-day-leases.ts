/**
 * Tenant-day leases of local mode (shared/conversion/day-lease.ts): a table in the process. One
 * process owns a data directory (shared/local/runtime/data-dir-lock.ts), so every conversion of
 * its lake runs in this process; a crash ends the process and its leases with it.
 */
import type { DayLease, DayLeases } from '../../conversion/day-lease.js';

export class InProcessDayLeases implements DayLeases {
  private readonly held = new Map<string, string>();

  async tryAcquire(tenantId: string, dt: string, owner: string): Promise<DayLease | null> {
    const key = `${tenantId}/${dt}`;
    if (this.held.has(key)) return null;
    this.held.set(key, owner);
    return {
      release: async () => {
        if (this.held.get(key) === owner) this.held.delete(key);
      },
    };
  }

  /** Tenant-days held now (for tests and diagnostics). */
  holders(): ReadonlyMap<string, string> {
    return this.held;
  }
}

/** The process's leases: every local run of this process (nightly, intraday, CLI) shares them. */
export const processDayLeases = new InProcessDayLeases();
