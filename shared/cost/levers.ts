/**
 * What dominates oplake's bill and what cuts it: each lever recomputes the month with one
 * choice changed, against the same inputs and figures.
 */
import type { CostInputs, Figures } from './inputs.js';
import { type CostLine, DEFAULT_OPTIONS, type OplakeOptions, oplakeMonthly, total } from './oplake-model.js';

export interface LeverEffect {
  lever: string;
  change: string;
  usd: number;
  /** usd minus the baseline month (negative: saves). */
  delta: number;
}

interface Lever {
  lever: string;
  change: string;
  inputs?: Partial<CostInputs>;
  options?: Partial<OplakeOptions>;
}

export const LEVERS: readonly Lever[] = [
  { lever: 'post interval', change: '5 -> 15 min', inputs: { postIntervalMinutes: 15 } },
  { lever: 'post interval', change: '5 -> 1 min', inputs: { postIntervalMinutes: 1 } },
  { lever: 'idempotency store', change: 'on-demand -> provisioned', options: { idempotency: 'provisioned' } },
  {
    lever: 'idempotency store',
    change: 'none (dedup at conversion only)',
    options: { idempotency: 'none' },
  },
  { lever: 'Firehose record packing', change: 'off (one event a record)', options: { packing: false } },
  { lever: 'compaction', change: 'monthly file per tenant-month', options: { compaction: true } },
  {
    lever: 'storage class',
    change: 'Parquet > 90 days to Glacier IR',
    options: { parquetColdAfterDays: 90 },
  },
  { lever: 'log volume', change: '1,000 -> 350 B/invocation', options: { logBytesPerInvocation: 350 } },
];

export function leverEffects(inputs: CostInputs, figures: Figures): LeverEffect[] {
  const base = total(oplakeMonthly(inputs, figures));
  return LEVERS.map((l) => {
    const usd = total(
      oplakeMonthly({ ...inputs, ...l.inputs }, figures, { ...DEFAULT_OPTIONS, ...l.options }),
    );
    return { lever: l.lever, change: l.change, usd, delta: usd - base };
  });
}

/** The biggest lines, largest first, with their share of the month. */
export function dominant(lines: readonly CostLine[], count = 5): Array<CostLine & { share: number }> {
  const sum = total(lines);
  return [...lines]
    .sort((a, b) => b.usd - a.usd)
    .slice(0, count)
    .map((l) => ({ ...l, share: sum > 0 ? l.usd / sum : 0 }));
}
