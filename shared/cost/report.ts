/** The cost report: both designs at one fleet, the sweep 1k-500k PCs, levers; as tables and JSON. */
import type { SeriesPoint } from './chart.js';
import { type CostInputs, defaultInputs, type Figures } from './inputs.js';
import { legacyMonthly } from './legacy-model.js';
import { dominant, type LeverEffect, leverEffects } from './levers.js';
import { byService, type CostLine, oplakeMonthly, total } from './oplake-model.js';
import type { TenantCost } from './per-tenant.js';

export const FLEET_SIZES = [1_000, 5_000, 10_000, 50_000, 100_000, 250_000, 500_000];
/** The goal the issue sets: oplake at most a tenth of the 2020 design at 100k PCs x 2,000 events. */
export const GOAL_RATIO = 0.1;

export interface CostReport {
  inputs: CostInputs;
  figures: Figures;
  oplake: CostLine[];
  legacy: CostLine[];
  oplakeUsd: number;
  legacyUsd: number;
  ratio: number;
  sweep: SeriesPoint[];
  levers: LeverEffect[];
}

export function buildCostReport(inputs: CostInputs, figures: Figures): CostReport {
  const oplake = oplakeMonthly(inputs, figures);
  const legacy = legacyMonthly(inputs, figures);
  const sweep = FLEET_SIZES.map((pcs) => {
    const at: CostInputs = {
      ...inputs,
      pcs,
      tenants: Math.max(1, Math.round((inputs.tenants / inputs.pcs) * pcs)),
    };
    return { pcs, oplake: total(oplakeMonthly(at, figures)), legacy: total(legacyMonthly(at, figures)) };
  });
  const oplakeUsd = total(oplake);
  const legacyUsd = total(legacy);
  return {
    inputs,
    figures,
    oplake,
    legacy,
    oplakeUsd,
    legacyUsd,
    ratio: oplakeUsd / legacyUsd,
    sweep,
    levers: leverEffects(inputs, figures),
  };
}

/** The modelled month at a fleet's own rate (used by `make demo`). */
export function monthlyAt(pcs: number, eventsPerPcPerDay: number, tenants: number, figures: Figures): number {
  const inputs = { ...defaultInputs(figures, pcs), eventsPerPcPerDay, tenants };
  return total(oplakeMonthly(inputs, figures));
}

export const usd = (x: number) =>
  x >= 100 ? `$${Math.round(x).toLocaleString('en-US')}` : `$${x.toFixed(x >= 1 ? 2 : 4)}`;

export function table(header: string[], rows: string[][], right: number[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (c: string, i: number) =>
    right.includes(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0);
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function formatReport(r: CostReport): string[] {
  const i = r.inputs;
  const out: string[] = [];
  out.push(
    `Fleet: ${i.pcs.toLocaleString('en-US')} PCs x ${i.eventsPerPcPerDay.toLocaleString('en-US')} events a day, ` +
      `${i.tenants.toLocaleString('en-US')} tenants (Zipf ${i.tenantSizeSkew}), a post every ${i.postIntervalMinutes} min ` +
      `over ${i.activeHoursPerDay} h, ${i.searchesPerTenantPerDay} searches a tenant a day, ${i.retentionYears}-year retention, ${i.region}.`,
  );
  out.push(
    table(
      ['figure', 'value', 'source'],
      Object.entries(r.figures).flatMap(([name, f]) =>
        'value' in f
          ? [[name, Number(f.value).toPrecision(4), String(f.source)]]
          : Object.entries(f as Record<string, { value: number; source: string }>).map(([shape, g]) => [
              `searchBytesPerEvent[${shape}]`,
              g.value.toPrecision(4),
              g.source,
            ]),
      ),
    ),
  );
  const services = (lines: CostLine[]) => [...byService(lines).entries()].sort((a, b) => b[1] - a[1]);
  const legacyBy = services(r.legacy);
  const opBy = services(r.oplake);
  const rows: string[][] = [];
  for (let k = 0; k < Math.max(opBy.length, legacyBy.length); k++) {
    const o = opBy[k];
    const l = legacyBy[k];
    rows.push([o?.[0] ?? '', o ? usd(o[1]) : '', l?.[0] ?? '', l ? usd(l[1]) : '']);
  }
  rows.push(['total a month', usd(r.oplakeUsd), 'total a month', usd(r.legacyUsd)]);
  out.push(table(['oplake service', 'USD/month', '2020 design service', 'USD/month'], rows, [1, 3]));
  const verdict = r.ratio <= GOAL_RATIO ? 'met' : 'NOT met';
  out.push(
    `oplake / 2020 design = ${r.ratio.toFixed(3)} (1/${(1 / r.ratio).toFixed(1)}); goal <= 1/10: ${verdict}.`,
  );
  out.push(
    table(
      ['oplake line', 'USD/month', 'quantity'],
      r.oplake.map((l) => [`${l.service}: ${l.item}`, usd(l.usd), l.detail]),
      [1],
    ),
  );
  out.push(
    table(
      ['2020 design line', 'USD/month', 'sizing'],
      r.legacy.map((l) => [`${l.service}: ${l.item}`, usd(l.usd), l.detail]),
      [1],
    ),
  );
  out.push(
    `What dominates oplake's month:\n${table(
      ['line', 'USD/month', 'share'],
      dominant(r.oplake).map((l) => [
        `${l.service}: ${l.item}`,
        usd(l.usd),
        `${(l.share * 100).toFixed(0)}%`,
      ]),
      [1, 2],
    )}`,
  );
  out.push(
    `Levers (each alone, against ${usd(r.oplakeUsd)}):\n${table(
      ['lever', 'change', 'USD/month', 'effect'],
      r.levers.map((l) => [
        l.lever,
        l.change,
        usd(l.usd),
        `${l.delta >= 0 ? '+' : '-'}${usd(Math.abs(l.delta))} (${((l.delta / r.oplakeUsd) * 100).toFixed(1)}%)`,
      ]),
      [2, 3],
    )}`,
  );
  out.push(
    `Cost against fleet size (same inputs per PC):\n${table(
      ['PCs', 'oplake USD/month', '2020 design USD/month', 'ratio'],
      r.sweep.map((p) => [
        p.pcs.toLocaleString('en-US'),
        usd(p.oplake),
        usd(p.legacy),
        `1/${(p.legacy / p.oplake).toFixed(1)}`,
      ]),
      [0, 1, 2, 3],
    )}`,
  );
  return out;
}

export function formatTenantCosts(costs: readonly TenantCost[], from: string, to: string): string {
  return `Usage ${from}..${to}, priced with the model (monthly = the days with activity scaled to a month + storage held):\n${table(
    ['tenant', 'days', 'events', 'searches', 'ingest', 'search', 'conversion', 'storage/month', 'USD/month'],
    costs.map((c) => [
      c.tenantId,
      String(c.days),
      c.events.toLocaleString('en-US'),
      String(c.searches),
      usd(c.ingestUsd),
      usd(c.searchUsd),
      usd(c.conversionUsd),
      usd(c.storageUsdMonth),
      usd(c.monthlyUsd),
    ]),
    [1, 2, 3, 4, 5, 6, 7, 8],
  )}`;
}
