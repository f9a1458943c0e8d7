/**
 * The compacted months' Glue table Terraform creates (terraform/modules/glue-catalog/month.tf)
 * is the one the compaction and search SQL is written against (shared/compaction/table.ts):
 * name, prefix, columns in order, partition keys, projection and format parameters.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { MONTH_GLUE_TABLE } from '../../shared/compaction/table.js';
import { GLUE_TABLES } from '../../shared/conversion/tables.js';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const hcl = readFileSync(join(ROOT, 'terraform/modules/glue-catalog/month.tf'), 'utf8');

describe('events_month in Terraform matches shared/compaction/table.ts', () => {
  test('name, prefix and location template', () => {
    expect(hcl).toContain(`name          = "${MONTH_GLUE_TABLE.name}"`);
    expect(hcl).toContain(`location      = "s3://\${var.bucket_name}/${MONTH_GLUE_TABLE.prefix}"`);
    // HCL escapes the projection's `${...}` as `$${...}` and fills in the bucket.
    const declared = /"storage\.location\.template" = "([^"]+)"/.exec(hcl)?.[1] ?? '';
    const D = '$';
    expect(declared.replaceAll(`${D}${D}{`, `${D}{`).replace(`${D}{var.bucket_name}`, `${D}{bucket}`)).toBe(
      MONTH_GLUE_TABLE.parameters['storage.location.template'],
    );
  });

  test("columns: events_v2's, then dt", () => {
    expect(hcl).toContain('month_columns = concat(local.events_columns, [{ name = "dt", type = "string" }])');
    expect(MONTH_GLUE_TABLE.columns).toEqual([...GLUE_TABLES.events.columns, { name: 'dt', type: 'string' }]);
  });

  test('partition keys, in order', () => {
    const keys = [...hcl.matchAll(/partition_keys\s*\{\s*name\s*=\s*"(\w+)"\s*type\s*=\s*"(\w+)"/g)].map(
      (m) => ({
        name: m[1],
        type: m[2],
      }),
    );
    expect(keys).toEqual(MONTH_GLUE_TABLE.partitionKeys);
  });

  test('projection and format parameters', () => {
    const declared: Record<string, string> = {};
    for (const m of hcl.matchAll(/"([\w.]+)"\s*=\s*"([^"]*)"/g)) declared[m[1] as string] = m[2] as string;
    for (const [key, value] of Object.entries(MONTH_GLUE_TABLE.parameters)) {
      if (key === 'storage.location.template') continue;
      if (key === 'projection.month.range') {
        expect(value).toBe('2020-01,NOW');
        expect(hcl).toContain(`"${'$'}{substr(var.projection_start_date, 0, 7)},NOW"`);
        continue;
      }
      expect([key, declared[key]]).toEqual([key, value]);
    }
  });
});
