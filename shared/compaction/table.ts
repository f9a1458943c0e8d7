/**
 * The Glue table of compacted months (Terraform `aws_glue_catalog_table.month` in
 * terraform/modules/glue-catalog/month.tf; test/terraform/month-table-matches-code.test.ts holds
 * them together): the converted layout's columns plus `dt` as a data column, partitions
 * tenant_id (injected) and month (`yyyy-MM`, projected by months).
 */
import { GLUE_TABLES, type GlueTableFacts } from '../conversion/tables.js';
import { PREFIX } from '../domain/layout.js';

export const MONTH_GLUE_TABLE: Readonly<
  Omit<GlueTableFacts, 'partitionKeys'> & {
    partitionKeys: { name: string; type: 'string' }[];
  }
> = Object.freeze({
  name: 'events_month',
  prefix: PREFIX.parquetMonth,
  format: 'parquet',
  columns: [...GLUE_TABLES.events.columns, { name: 'dt', type: 'string' }],
  partitionKeys: [
    { name: 'tenant_id', type: 'string' as const },
    { name: 'month', type: 'string' as const },
  ],
  parameters: {
    'projection.enabled': 'true',
    'projection.tenant_id.type': 'injected',
    'projection.month.type': 'date',
    'projection.month.format': 'yyyy-MM',
    'projection.month.range': '2020-01,NOW',
    'projection.month.interval': '1',
    'projection.month.interval.unit': 'MONTHS',
    'storage.location.template': `s3://\${bucket}/${PREFIX.parquetMonth}tenant_id=\${tenant_id}/month=\${month}/`,
    classification: 'parquet',
    'parquet.compression': 'ZSTD',
  },
});
