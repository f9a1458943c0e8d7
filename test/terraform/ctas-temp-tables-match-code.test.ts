/**
 * ctas-runner may create and drop Glue tables only under the prefixes of terraform/iam.tf
 * `ctas_temp_table_prefixes` (glue:CreateTable / glue:DeleteTable on table/<db>/<prefix>*). The
 * temporary tables the conversion and the compaction name must start with one of them, or CTAS
 * fails on AWS with AccessDenied; a prefix no name uses is a grant nobody needs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { monthTempTableName } from '../../shared/adapters/aws/athena-compaction-engine.js';
import { tempTableName } from '../../shared/adapters/aws/athena-conversion-engine.js';
import type { MonthSnapshot } from '../../shared/compaction/engine.js';
import type { PartitionSnapshot } from '../../shared/conversion/engine.js';
import { GLUE_TABLES } from '../../shared/conversion/tables.js';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const iamTf = readFileSync(join(ROOT, 'terraform/iam.tf'), 'utf8');

function tempTablePrefixes(): string[] {
  const list = /^\s*ctas_temp_table_prefixes\s*=\s*\[([^\]]*)\]/m.exec(iamTf)?.[1];
  if (list === undefined) throw new Error('ctas_temp_table_prefixes not found in terraform/iam.tf');
  return [...list.matchAll(/"([^"]*)"/g)].map((m) => m[1] as string);
}

// Tenant ids and run ids of every shape the code accepts, and one long enough to be truncated.
const tenants = ['acme', 'Acme-Corp', 'a.b_c-9', 'x'.repeat(64)];
const runIds = ['2026-12-04T01:00:00.000Z-1', 'intraday-abc', 'r'.repeat(90)];

const dayNames = tenants.flatMap((tenantId) =>
  runIds.map((runId) => tempTableName({ tenantId, runId, dt: '2026-12-03' } as PartitionSnapshot)),
);
const monthNames = tenants.flatMap((tenantId) =>
  runIds.map((runId) => monthTempTableName({ tenantId, runId, month: '2026-11' } as MonthSnapshot)),
);

describe('ctas-runner temporary Glue tables match its IAM grant', () => {
  const prefixes = tempTablePrefixes();

  test('the grant names prefixes, none of which is empty or a wildcard', () => {
    expect(prefixes.length).toBeGreaterThan(0);
    for (const p of prefixes) expect(p).toMatch(/^[a-z0-9_]+_$/);
  });

  test('every temporary table the conversion and the compaction name is under a granted prefix', () => {
    const outside = [...dayNames, ...monthNames].filter((name) => !prefixes.some((p) => name.startsWith(p)));
    expect(outside).toEqual([]);
  });

  test('every granted prefix is used by the conversion or the compaction', () => {
    const unused = prefixes.filter((p) => ![...dayNames, ...monthNames].some((name) => name.startsWith(p)));
    expect(unused).toEqual([]);
  });

  test('no deployment table (shared/conversion/tables.ts names) falls under a granted prefix', () => {
    const names = Object.values(GLUE_TABLES).map((t) => t.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => prefixes.some((p) => n.startsWith(p)))).toEqual([]);
  });
});
