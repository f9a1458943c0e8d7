output "database_name" {
  description = "Glue database name."
  value       = aws_glue_catalog_database.this.name
}

output "database_arn" {
  description = "Glue database ARN."
  value       = aws_glue_catalog_database.this.arn
}

output "table_names" {
  description = "Table names by role: raw_events (JSON), events_v2 (Parquet), events (Parquet, previous layout), events_month (compacted months)."
  value       = merge({ for k, t in aws_glue_catalog_table.this : k => t.name }, { events_month = aws_glue_catalog_table.month.name })
}

output "columns" {
  description = "Data columns of both tables, in order (partition keys tenant_id, dt excluded)."
  value       = [for c in local.raw_columns : c.name]
}

output "tables" {
  description = "Each table's parameters, partition keys, location and SerDe, for the checks in tests/."
  value = {
    for name, t in merge(aws_glue_catalog_table.this, { events_month = aws_glue_catalog_table.month }) : name => {
      parameters     = t.parameters
      partition_keys = [for k in t.partition_keys : k.name]
      columns        = try([for c in one(t.storage_descriptor).columns : "${c.name}:${c.type}"], [])
      location       = try(one(t.storage_descriptor).location, null)
      serde          = try(one(one(t.storage_descriptor).ser_de_info).serialization_library, null)
    }
  }
}
