/**
 * One tenant's compaction for the night (ctas-runner, after the tenant's conversion): plan the
 * closed months (plan.ts), compact each (compact.ts), oldest first, bounded by the policy.
 * Idempotent: a month already compacted plans nothing; a run cut short is planned again.
 */
import type { Clock } from '../ports/clock.js';
import type { ObjectStore } from '../ports/object-store.js';
import { type CompactionResult, type CompactionStep, compactMonth } from './compact.js';
import type { CompactionEngine, MonthSnapshot } from './engine.js';
import { type CompactionPolicy, DEFAULT_COMPACTION, planCompaction } from './plan.js';

export interface CompactTenantDeps {
  store: ObjectStore;
  engine: CompactionEngine;
  clock: Clock;
  policy?: CompactionPolicy;
  afterStep?: (step: CompactionStep, snapshot: MonthSnapshot) => void | Promise<void>;
}

export async function compactTenant(deps: CompactTenantDeps, tenantId: string): Promise<CompactionResult[]> {
  const policy = deps.policy ?? DEFAULT_COMPACTION;
  if (policy.maxMonths <= 0) return [];
  const today = deps.clock.now().toISOString().slice(0, 10);
  const out: CompactionResult[] = [];
  for (const plan of await planCompaction(deps.store, tenantId, today, policy)) {
    out.push(
      await compactMonth(
        {
          store: deps.store,
          engine: deps.engine,
          clock: deps.clock,
          ...(deps.afterStep ? { afterStep: deps.afterStep } : {}),
        },
        plan,
      ),
    );
  }
  return out;
}
