/**
 * The usage meter that keeps its entries in the lake, through the ObjectStore port (files
 * locally, S3 on AWS): one append-only object per flush, `usage/dt=D/<writer>-<seq>.ndjson`, a
 * JSON line per entry (`{"id","tenant_id","day",...counters}`). One object per flush and day,
 * not per tenant: a split invocation of ten batches from ten tenants costs one PUT.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../ports/clock.js';
import type { ObjectStore } from '../ports/object-store.js';
import { type UsageEntry, type UsageMeter, utcDay } from './meter.js';

export const USAGE_PREFIX = 'usage/';

export function usageDayPrefix(day: string): string {
  return `${USAGE_PREFIX}dt=${day}/`;
}

export class LakeUsageMeter implements UsageMeter {
  private buffer: Array<UsageEntry & { day: string }> = [];
  private seq = 0;
  private readonly writer: string;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    writer: string = randomUUID(),
  ) {
    this.writer = writer.replace(/[^A-Za-z0-9-]/g, '-');
  }

  record(entry: UsageEntry): void {
    this.buffer.push({ ...entry, day: entry.day ?? utcDay(this.clock.now()) });
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const taken = this.buffer;
    this.buffer = [];
    const byDay = new Map<string, UsageEntry[]>();
    for (const e of taken) byDay.set(e.day, [...(byDay.get(e.day) ?? []), e]);
    const seq = String(++this.seq).padStart(8, '0');
    const written = new Set<string>();
    try {
      for (const [day, entries] of byDay) {
        const body = entries
          .map((e) => JSON.stringify({ id: e.id, tenant_id: e.tenantId, day: e.day, ...e.counters }))
          .join('\n');
        await this.store.put(`${usageDayPrefix(day)}${this.writer}-${seq}.ndjson`, `${body}\n`, {
          contentType: 'application/x-ndjson',
        });
        written.add(day);
      }
    } catch (error) {
      // Keep what was not written; ids make a second write of the rest harmless.
      this.buffer = [...taken.filter((e) => !written.has(e.day)), ...this.buffer];
      throw error;
    }
  }
}
