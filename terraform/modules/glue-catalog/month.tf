# Compacted months of small tenants (shared/compaction, docs/nightly.md "Compaction"): one Parquet
# file per tenant-month under parquet-v2-month/, the converted layout's columns plus `dt` as a
# data column (rows keep their day, so queries still split a month by day), partitioned by the
# injected tenant and the month. shared/conversion/tables.ts GLUE_TABLES.month holds the same facts.
locals {
  month_columns = concat(local.events_columns, [{ name = "dt", type = "string" }])

  month_projection = {
    "projection.enabled"             = "true"
    "projection.tenant_id.type"      = "injected"
    "projection.month.type"          = "date"
    "projection.month.format"        = "yyyy-MM"
    "projection.month.range"         = "${substr(var.projection_start_date, 0, 7)},NOW"
    "projection.month.interval"      = "1"
    "projection.month.interval.unit" = "MONTHS"
  }
}

resource "aws_glue_catalog_table" "month" {
  name          = "events_month"
  database_name = aws_glue_catalog_database.this.name
  description   = "Compacted months of small tenants: Parquet (ZSTD, typed ts, dt a column) under parquet-v2-month/."
  table_type    = "EXTERNAL_TABLE"

  parameters = merge(local.month_projection, {
    "EXTERNAL"                  = "TRUE"
    "classification"            = "parquet"
    "parquet.compression"       = "ZSTD"
    "storage.location.template" = "s3://${var.bucket_name}/parquet-v2-month/tenant_id=$${tenant_id}/month=$${month}/"
  })

  partition_keys {
    name = "tenant_id"
    type = "string"
  }

  partition_keys {
    name = "month"
    type = "string"
  }

  storage_descriptor {
    location      = "s3://${var.bucket_name}/parquet-v2-month/"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    }

    dynamic "columns" {
      for_each = local.month_columns
      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }
}
