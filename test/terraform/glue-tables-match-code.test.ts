/**
 * The Glue tables Terraform creates (terraform/modules/glue-catalog) are the ones the SQL of the
 * conversion and search is written against (shared/conversion/tables.ts GLUE_TABLES): same names,
 * prefixes, columns and types in order, partition keys and projection parameters.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { GLUE_TABLES } from '../../shared/conversion/tables.js';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const hcl = readFileSync(join(ROOT, 'terraform/modules/glue-catalog/main.tf'), 'utf8');

/** `"key" = "value"` pairs of the HCL, later ones winning. */
function pairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/"([\w.]+)"\s*=\s*"([^"]*)"/g)) out[m[1] as string] = m[2] as string;
  return out;
}

describe('Glue tables in Terraform match shared/conversion/tables.ts', () => {
  test('columns and types, in order', () => {
    const listOf = (local: string) => {
      const block = new RegExp(`${local}\\s*=\\s*\\[([^\\]]*)\\]`).exec(hcl)?.[1] ?? '';
      return [...block.matchAll(/\{\s*name\s*=\s*"(\w+)",\s*type\s*=\s*"(\w+)"\s*\}/g)].map((m) => ({
        name: m[1],
        type: m[2],
      }));
    };
    expect(listOf('raw_columns')).toEqual(GLUE_TABLES.raw.columns);
    expect(listOf('events_columns')).toEqual(GLUE_TABLES.events.columns);
  });

  test('partition keys, in order', () => {
    const keys = [...hcl.matchAll(/partition_keys\s*\{\s*name\s*=\s*"(\w+)"\s*type\s*=\s*"(\w+)"/g)].map(
      (m) => ({
        name: m[1],
        type: m[2],
      }),
    );
    expect(keys).toEqual(GLUE_TABLES.raw.partitionKeys);
  });

  test('table names and prefixes', () => {
    for (const table of Object.values(GLUE_TABLES)) {
      const block = new RegExp(`(?:^|\\s)${table.name}\\s*=\\s*\\{[^}]*prefix\\s*=\\s*"([^"]+)"`).exec(hcl);
      expect(block?.[1]).toBe(table.prefix);
    }
  });

  test('projection and format parameters', () => {
    const declared = pairs(hcl);
    for (const table of Object.values(GLUE_TABLES)) {
      for (const [key, value] of Object.entries(table.parameters)) {
        if (key === 'storage.location.template') {
          // Terraform writes the same template with the bucket filled in.
          expect(hcl).toContain(`tenant_id=$\${tenant_id}/dt=$\${dt}/`);
          continue;
        }
        if (key === 'classification') continue; // per table: "json" / "parquet" from each.value.format
        if (key === 'projection.dt.range') {
          expect(value).toBe('2020-01-01,NOW');
          expect(hcl).toContain(`"${'$'}{var.projection_start_date},NOW"`);
          continue;
        }
        expect([key, declared[key]]).toEqual([key, value]);
      }
    }
  });
});
