# The five pipeline functions (the dlq-sweeper's module is in dlq-sweeper.tf); their IAM policies
# are in iam.tf.

module "ingest" {
  source = "./modules/lambda-function"

  function_name        = "${var.name}-ingest"
  description          = "POST /v1/events: verify, validate, hand off to the batch queue"
  zip_path             = "${local.dist_dir}/ingest.zip"
  architecture         = var.lambda_architecture
  memory_size          = 1024
  timeout              = local.timeouts.ingest
  reserved_concurrency = var.ingest_reserved_concurrency
  log_retention_days   = var.log_retention_days
  policy_json          = jsonencode(local.policies.ingest)
  function_url         = true

  environment = merge({
    OPLAKE_INGEST_EXPECTED_CONCURRENCY = tostring(var.ingest_expected_concurrency)
    OPLAKE_BATCH_QUEUE_URL             = module.batch_queue.queue_url
    OPLAKE_LAKE_BUCKET                 = module.lake_bucket.bucket
    OPLAKE_IDEMPOTENCY_TABLE           = module.idempotency_table.name
    OPLAKE_KEYS_PARAMETER              = aws_ssm_parameter.token_keys.name
    POWERTOOLS_SERVICE_NAME            = "ingest"
    POWERTOOLS_METRICS_NAMESPACE       = "oplake"
  }, var.ingest_rate_limits == "" ? {} : { OPLAKE_INGEST_RATE_LIMITS = var.ingest_rate_limits })
}

module "split" {
  source = "./modules/lambda-function"

  function_name      = "${var.name}-split"
  description        = "Batch queue consumer: normalise, pack, PutRecordBatch to the tenant's Firehose stream"
  zip_path           = "${local.dist_dir}/split.zip"
  architecture       = var.lambda_architecture
  memory_size        = 1024
  timeout            = local.timeouts.split
  log_retention_days = var.log_retention_days
  policy_json        = jsonencode(local.policies.split)

  sqs_event_source = {
    queue_arn                          = module.batch_queue.queue_arn
    batch_size                         = 10
    maximum_batching_window_in_seconds = 1
    maximum_concurrency                = var.split_max_concurrency
  }

  environment = {
    OPLAKE_LAKE_BUCKET           = module.lake_bucket.bucket
    OPLAKE_FIREHOSE_STREAMS      = join(",", module.firehose.stream_names)
    POWERTOOLS_SERVICE_NAME      = "split"
    POWERTOOLS_METRICS_NAMESPACE = "oplake"
  }
}

module "ctas_runner" {
  source = "./modules/lambda-function"

  # The conversion writes event_id NULL where event_pos derives it: the search function (which
  # derives it on read) is updated first in the same apply (docs/deploy.md "Upgrading: derived ids").
  depends_on = [module.search]

  function_name      = "${var.name}-ctas-runner"
  description        = "Nightly fan-out consumer: converts one tenant's pending days with Athena CTAS, answers the task token"
  zip_path           = "${local.dist_dir}/ctas-runner.zip"
  architecture       = var.lambda_architecture
  memory_size        = 512
  timeout            = local.timeouts.ctas_runner
  log_retention_days = var.log_retention_days
  policy_json        = jsonencode(local.policies.ctas_runner)

  # One message per tenant; each copy runs its tenant's CTAS statements one at a time, so the
  # maximum concurrency is the nightly share of the regional active DML quota.
  sqs_event_source = {
    queue_arn           = module.fanout_queue.queue_arn
    batch_size          = 1
    maximum_concurrency = local.nightly_athena_concurrency
  }

  environment = {
    OPLAKE_LAKE_BUCKET              = module.lake_bucket.bucket
    OPLAKE_GLUE_DATABASE            = module.glue.database_name
    OPLAKE_ATHENA_WORKGROUP         = module.conversion_workgroup.name
    OPLAKE_ATHENA_OUTPUT_LOCATION   = "${local.athena_output}conversion/"
    OPLAKE_RAW_TABLE                = module.glue.table_names["raw_events"]
    OPLAKE_EVENTS_TABLE             = module.glue.table_names["events_v2"]
    OPLAKE_LEGACY_EVENTS_TABLE      = var.legacy_events_table ? module.glue.table_names["events"] : ""
    OPLAKE_MONTH_EVENTS_TABLE       = module.glue.table_names["events_month"]
    OPLAKE_COMPACTION_MAX_MONTHS    = tostring(var.compaction_max_months_per_tenant)
    OPLAKE_COMPACTION_GRACE_DAYS    = tostring(var.compaction_grace_days)
    OPLAKE_COMPACTION_MAX_DAY_BYTES = tostring(var.compaction_max_day_bytes)
    POWERTOOLS_SERVICE_NAME         = "ctas-runner"
    POWERTOOLS_METRICS_NAMESPACE    = "oplake"
  }
}

module "nightly" {
  source = "./modules/lambda-function"

  function_name      = "${var.name}-nightly"
  description        = "The nightly workflow's own steps: discover pending tenant-days, summarise"
  zip_path           = "${local.dist_dir}/nightly.zip"
  architecture       = var.lambda_architecture
  memory_size        = 512
  timeout            = local.timeouts.nightly
  log_retention_days = var.log_retention_days
  policy_json        = jsonencode(local.policies.nightly)

  environment = {
    OPLAKE_LAKE_BUCKET             = module.lake_bucket.bucket
    OPLAKE_NIGHTLY_MAX_CONCURRENCY = tostring(local.nightly_athena_concurrency)
    OPLAKE_NIGHTLY_BATCH_SIZE      = tostring(var.nightly_batch_size)
    OPLAKE_NIGHTLY_MAX_TENANTS     = var.nightly_max_tenants_per_run == null ? "" : tostring(var.nightly_max_tenants_per_run)
    OPLAKE_INTRADAY_MIN_RAW_BYTES  = format("%d", var.intraday_min_raw_bytes)
    OPLAKE_RETENTION_AREAS         = join(",", var.nightly_retention_areas)
    OPLAKE_RETENTION = jsonencode({
      parquetDays    = var.parquet_retention_days
      archiveRawDays = var.archive_raw_retention_days
      rejectsDays    = var.rejects_retention_days
      stagingHours   = var.staging_retention_days * 24
      perTenant      = var.tenant_retention_overrides
    })
    POWERTOOLS_SERVICE_NAME      = "nightly"
    POWERTOOLS_METRICS_NAMESPACE = "oplake"
  }
}

module "search" {
  source = "./modules/lambda-function"

  function_name        = "${var.name}-search"
  description          = "POST /v1/search, /v1/aggregate, GET and DELETE /v1/search/{queryId}: tenant-scoped Athena queries"
  zip_path             = "${local.dist_dir}/search.zip"
  architecture         = var.lambda_architecture
  memory_size          = 1024
  timeout              = local.timeouts.search
  reserved_concurrency = var.search_reserved_concurrency
  log_retention_days   = var.log_retention_days
  policy_json          = jsonencode(local.policies.search)
  function_url         = true
  # The admin console (console.tf) calls this URL from its own origin; nothing else may.
  function_url_cors = length(local.console_origins) == 0 ? null : {
    allow_origins  = local.console_origins
    allow_methods  = ["GET", "POST", "DELETE"]
    allow_headers  = ["authorization", "content-type"]
    expose_headers = ["retry-after"]
    max_age        = 3600
  }

  environment = {
    OPLAKE_GLUE_DATABASE          = module.glue.database_name
    OPLAKE_RAW_TABLE              = module.glue.table_names["raw_events"]
    OPLAKE_EVENTS_TABLE           = module.glue.table_names["events_v2"]
    OPLAKE_LEGACY_EVENTS_TABLE    = var.legacy_events_table ? module.glue.table_names["events"] : ""
    OPLAKE_MONTH_EVENTS_TABLE     = module.glue.table_names["events_month"]
    OPLAKE_ATHENA_WORKGROUPS      = join(",", [for wg in module.search_workgroup : wg.name])
    OPLAKE_WORKGROUP_OVERRIDES    = jsonencode({ for tenant, index in var.search_workgroup_overrides : tenant => local.search_workgroup_names[index] })
    OPLAKE_ATHENA_OUTPUT          = local.athena_output
    OPLAKE_KEYS_PARAMETER         = aws_ssm_parameter.token_keys.name
    OPLAKE_QUERY_TABLE            = module.query_table.name
    OPLAKE_LAKE_BUCKET            = module.lake_bucket.bucket
    OPLAKE_MAX_CONCURRENT_QUERIES = tostring(var.search_max_concurrent_queries)
    OPLAKE_WAIT_BUDGET_MS         = tostring(var.search_wait_budget_ms)
    OPLAKE_SCAN_CUTOFF_BYTES      = tostring(var.search_bytes_scanned_cutoff)
    POWERTOOLS_SERVICE_NAME       = "search"
    POWERTOOLS_METRICS_NAMESPACE  = "oplake"
  }
}
