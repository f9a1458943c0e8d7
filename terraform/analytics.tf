module "firehose" {
  source = "./modules/firehose"

  name_prefix                = "${var.name}-raw"
  shards                     = local.firehose_shards
  bucket_arn                 = module.lake_bucket.arn
  kms_key_arn                = module.kms.key_arn
  buffering_size_mb          = var.firehose_buffering_size_mb
  buffering_interval_seconds = var.firehose_buffering_interval_seconds
  log_retention_days         = var.log_retention_days
}

module "glue" {
  source = "./modules/glue-catalog"

  database_name = local.glue_database
  bucket_name   = module.lake_bucket.bucket
}

# The nightly conversion has its own workgroup, so it can neither starve search nor be starved.
module "conversion_workgroup" {
  source = "./modules/athena-workgroup"

  name                           = "${var.name}-conversion"
  description                    = "oplake nightly conversion (CTAS)"
  output_location                = "${local.athena_output}conversion/"
  kms_key_arn                    = module.kms.key_arn
  bytes_scanned_cutoff_per_query = var.conversion_bytes_scanned_cutoff
  alarm_topic_arns               = [aws_sns_topic.alarms.arn]

  data_usage_alarms = {
    daily = { threshold_bytes = var.conversion_bytes_scanned_cutoff * 10, period_seconds = 86400 }
  }
}

module "search_workgroup" {
  source   = "./modules/athena-workgroup"
  for_each = { for i, name in local.search_workgroup_names : tostring(i) => name }

  name                           = each.value
  description                    = "oplake search pool, workgroup ${each.key}"
  output_location                = "${local.athena_output}search/${each.value}/"
  kms_key_arn                    = module.kms.key_arn
  bytes_scanned_cutoff_per_query = var.search_bytes_scanned_cutoff
  alarm_topic_arns               = [aws_sns_topic.alarms.arn]

  data_usage_alarms = {
    hourly = { threshold_bytes = var.search_hourly_bytes_alarm, period_seconds = 3600 }
    daily  = { threshold_bytes = var.search_daily_bytes_alarm, period_seconds = 86400 }
  }
}
