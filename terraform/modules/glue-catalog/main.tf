locals {
  # shared/conversion/tables.ts GLUE_TABLES: DATA_COLUMNS (STORED_COLUMNS minus tenant_id, dt) in
  # order with COLUMN_TYPES (raw_events, and events: the previous layout) and PARQUET_COLUMN_TYPES
  # (events_v2: ts and received_at are timestamps, ms); test/terraform/glue-tables-match-code.test.ts holds them together.
  raw_columns = [
    { name = "event_id", type = "string" },
    { name = "type", type = "string" },
    { name = "ts", type = "string" },
    { name = "device_id", type = "string" },
    { name = "user", type = "string" },
    { name = "host", type = "string" },
    { name = "app", type = "string" },
    { name = "title", type = "string" },
    { name = "url", type = "string" },
    { name = "domain", type = "string" },
    { name = "path", type = "string" },
    { name = "op", type = "string" },
    { name = "duration_ms", type = "bigint" },
    { name = "attrs", type = "string" },
    { name = "batch_id", type = "string" },
    { name = "received_at", type = "string" },
    # The position in the batch when the id was derived from it (converted Parquet then stores
    # event_id NULL and readers derive it: docs/nightly.md "Layout"); NULL in older files.
    { name = "event_pos", type = "int" },
  ]

  events_columns = [
    { name = "event_id", type = "string" },
    { name = "type", type = "string" },
    { name = "ts", type = "timestamp" },
    { name = "device_id", type = "string" },
    { name = "user", type = "string" },
    { name = "host", type = "string" },
    { name = "app", type = "string" },
    { name = "title", type = "string" },
    { name = "url", type = "string" },
    { name = "domain", type = "string" },
    { name = "path", type = "string" },
    { name = "op", type = "string" },
    { name = "duration_ms", type = "bigint" },
    { name = "attrs", type = "string" },
    { name = "batch_id", type = "string" },
    { name = "received_at", type = "timestamp" },
    { name = "event_pos", type = "int" },
  ]

  # Partition projection: the tenant is injected (every query pins it), the day is a date range.
  # No Glue partitions are ever created, so there is no MSCK REPAIR and no partition calls.
  projection = {
    "projection.enabled"          = "true"
    "projection.tenant_id.type"   = "injected"
    "projection.dt.type"          = "date"
    "projection.dt.format"        = "yyyy-MM-dd"
    "projection.dt.range"         = "${var.projection_start_date},NOW"
    "projection.dt.interval"      = "1"
    "projection.dt.interval.unit" = "DAYS"
  }

  tables = {
    raw_events = {
      description = "Unconverted Firehose output: gzip JSON lines under raw/."
      prefix      = "raw/"
      format      = "json"
      columns     = local.raw_columns
    }
    events_v2 = {
      description = "Converted, deduplicated events: Parquet (ZSTD, typed ts) under parquet-v2/."
      prefix      = "parquet-v2/"
      format      = "parquet"
      columns     = local.events_columns
    }
    # The previous layout (ts as text) keeps its deployed name and types: a table never changes
    # type under files written for it. Read until the nightly run has rewritten every such day.
    events = {
      description = "Converted events of the previous layout (text ts) under parquet/, until rewritten."
      prefix      = "parquet/"
      format      = "parquet"
      columns     = local.raw_columns
    }
  }
}

resource "aws_glue_catalog_database" "this" {
  name        = var.database_name
  description = "oplake: raw and converted operation logs."
}

resource "aws_glue_catalog_table" "this" {
  for_each = local.tables

  name          = each.key
  database_name = aws_glue_catalog_database.this.name
  description   = each.value.description
  table_type    = "EXTERNAL_TABLE"

  parameters = merge(local.projection, {
    "EXTERNAL"                  = "TRUE"
    "classification"            = each.value.format
    "storage.location.template" = "s3://${var.bucket_name}/${each.value.prefix}tenant_id=$${tenant_id}/dt=$${dt}/"
    }, each.value.format == "parquet" ? { "parquet.compression" = "ZSTD" } : { "compressionType" = "gzip" }
  )

  partition_keys {
    name = "tenant_id"
    type = "string"
  }

  partition_keys {
    name = "dt"
    type = "string"
  }

  storage_descriptor {
    location      = "s3://${var.bucket_name}/${each.value.prefix}"
    input_format  = each.value.format == "json" ? "org.apache.hadoop.mapred.TextInputFormat" : "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = each.value.format == "json" ? "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat" : "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = each.value.format == "json" ? "org.openx.data.jsonserde.JsonSerDe" : "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      parameters = each.value.format == "json" ? {
        "ignore.malformed.json" = "true"
        "case.insensitive"      = "false"
      } : {}
    }

    dynamic "columns" {
      for_each = each.value.columns
      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }
}
