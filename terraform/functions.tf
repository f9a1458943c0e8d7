# The six functions (the dlq-sweeper's module is in dlq-sweeper.tf). Each policy lists exactly the calls its code makes
# (test/terraform/iam-matches-code.test.ts compares them with the SDK commands in functions/<name>).

locals {
  lake_arn    = module.lake_bucket.arn
  results_arn = module.athena_results_bucket.arn

  glue_catalog_arn  = "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog"
  glue_database_arn = "arn:${local.partition}:glue:${local.region}:${local.account_id}:database/${module.glue.database_name}"
  glue_tables_arn   = "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${module.glue.database_name}/*"

  kms_statement = {
    Sid      = "LakeKey"
    Effect   = "Allow"
    Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
    Resource = [module.kms.key_arn]
  }

  # Athena runs the query with the caller's credentials: results bucket access is the caller's.
  athena_results_statements = [
    {
      Sid      = "AthenaResultsBucket"
      Effect   = "Allow"
      Action   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
      Resource = [local.results_arn]
    },
    {
      Sid      = "AthenaResultsObjects"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
      Resource = ["${local.results_arn}/*"]
    },
  ]

  # shared/domain/layout.ts prefixes of the retention areas the nightly job enforces.
  # parquet covers both layouts: parquet-v2/ and the previous layout's parquet/.
  retention_area_prefixes = {
    parquet    = ["parquet-v2/", "parquet/"]
    archiveRaw = ["archive/raw/"]
    rejects    = ["rejects/"]
    staging    = ["staging/"]
  }
  nightly_retention_prefixes = flatten([for a in var.nightly_retention_areas : local.retention_area_prefixes[a]])
  # Discover lists raw/ and the previous layout's parquet/ (the bounded nightly migration).
  nightly_list_prefixes = distinct(concat(["raw/", "parquet/"], local.nightly_retention_prefixes))

  policies = {
    ingest = {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "BatchQueue"
          Effect   = "Allow"
          Action   = ["sqs:SendMessage"]
          Resource = [module.batch_queue.queue_arn]
        },
        {
          Sid      = "SpoolAndRejects"
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["${local.lake_arn}/spool/*", "${local.lake_arn}/rejects/*", "${local.lake_arn}/usage/*"]
        },
        {
          # A claim check whose SendMessage failed is removed again.
          Sid      = "SpoolCleanup"
          Effect   = "Allow"
          Action   = ["s3:DeleteObject"]
          Resource = ["${local.lake_arn}/spool/*"]
        },
        {
          Sid      = "Idempotency"
          Effect   = "Allow"
          Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
          Resource = [module.idempotency_table.arn]
        },
        {
          Sid      = "TokenKeys"
          Effect   = "Allow"
          Action   = ["ssm:GetParameter"]
          Resource = [aws_ssm_parameter.token_keys.arn]
        },
        local.kms_statement,
      ]
    }

    split = {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "Firehose"
          Effect   = "Allow"
          Action   = ["firehose:PutRecordBatch"]
          Resource = module.firehose.stream_arns
        },
        {
          Sid      = "Spool"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:DeleteObject"]
          Resource = ["${local.lake_arn}/spool/*"]
        },
        {
          Sid      = "RejectsAndUsage"
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["${local.lake_arn}/rejects/*", "${local.lake_arn}/usage/*"]
        },
        {
          # A failed message's record for the dlq-sweeper (shared/dlq/failure-record.ts).
          Sid      = "FailureRecords"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject"]
          Resource = ["${local.lake_arn}/failures/*"]
        },
        local.kms_statement,
      ]
    }

    ctas_runner = {
      Version = "2012-10-17"
      Statement = concat([
        {
          Sid    = "Athena"
          Effect = "Allow"
          Action = [
            "athena:StartQueryExecution",
            "athena:GetQueryExecution",
            "athena:StopQueryExecution",
            "athena:GetQueryRuntimeStatistics",
          ]
          Resource = [module.conversion_workgroup.arn]
        },
        {
          Sid    = "Glue"
          Effect = "Allow"
          Action = [
            "glue:GetDatabase",
            "glue:GetTable",
            "glue:CreateTable",
            "glue:DeleteTable",
          ]
          Resource = [local.glue_catalog_arn, local.glue_database_arn, local.glue_tables_arn]
        },
        {
          Sid      = "LakeList"
          Effect   = "Allow"
          Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
          Resource = [local.lake_arn]
        },
        {
          Sid    = "LakeObjects"
          Effect = "Allow"
          Action = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
          Resource = [
            "${local.lake_arn}/raw/*",
            "${local.lake_arn}/archive/raw/*",
            "${local.lake_arn}/parquet/*",
            "${local.lake_arn}/parquet-v2/*",
            "${local.lake_arn}/staging/*",
            "${local.lake_arn}/failures/*",
          ]
        },
        {
          Sid      = "UsageMeter"
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["${local.lake_arn}/usage/*"]
        },
        {
          Sid      = "TaskToken"
          Effect   = "Allow"
          Action   = ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"]
          Resource = [module.nightly_workflow.state_machine_arn]
        },
        local.kms_statement,
      ], local.athena_results_statements)
    }

    nightly = {
      Version = "2012-10-17"
      Statement = [
        {
          # Discover lists raw/; retention lists the areas it enforces.
          Sid       = "ListLake"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = [local.lake_arn]
          Condition = { StringLike = { "s3:prefix" = [for p in local.nightly_list_prefixes : "${p}*"] } }
        },
        {
          Sid      = "Retention"
          Effect   = "Allow"
          Action   = ["s3:DeleteObject"]
          Resource = [for p in local.nightly_retention_prefixes : "${local.lake_arn}/${p}*"]
        },
        {
          # Discover writes the work list; Summarise reads the map run results.
          Sid      = "RunFiles"
          Effect   = "Allow"
          Action   = ["s3:PutObject", "s3:GetObject"]
          Resource = ["${local.lake_arn}/nightly/*"]
        },
        local.kms_statement,
      ]
    }

    # functions/dlq-sweeper: the DLQs it empties, the queues it redrives to, its lake prefixes,
    # the Firehose streams it re-ingests into, the alert topic.
    dlq_sweeper = {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "DeadLetterQueues"
          Effect   = "Allow"
          Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage"]
          Resource = [for s in values(local.dlq_sources) : s.dlq_arn]
        },
        {
          Sid      = "Redrive"
          Effect   = "Allow"
          Action   = ["sqs:SendMessage"]
          Resource = [for s in values(local.dlq_sources) : s.queue_arn]
        },
        {
          Sid       = "ListLake"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = [local.lake_arn]
          Condition = { StringLike = { "s3:prefix" = [for p in local.dlq_sweeper_prefixes : "${p}*"] } }
        },
        {
          Sid      = "LakeObjects"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
          Resource = [for p in local.dlq_sweeper_prefixes : "${local.lake_arn}/${p}*"]
        },
        {
          Sid      = "Reingest"
          Effect   = "Allow"
          Action   = ["firehose:PutRecordBatch"]
          Resource = module.firehose.stream_arns
        },
        {
          Sid      = "Alerts"
          Effect   = "Allow"
          Action   = ["sns:Publish"]
          Resource = [aws_sns_topic.alarms.arn]
        },
        local.kms_statement,
      ]
    }

    search = {
      Version = "2012-10-17"
      Statement = concat([
        {
          Sid    = "Athena"
          Effect = "Allow"
          Action = [
            "athena:StartQueryExecution",
            "athena:GetQueryExecution",
            "athena:GetQueryResults",
            "athena:StopQueryExecution",
          ]
          Resource = [for wg in module.search_workgroup : wg.arn]
        },
        {
          Sid      = "Glue"
          Effect   = "Allow"
          Action   = ["glue:GetDatabase", "glue:GetTable"]
          Resource = [local.glue_catalog_arn, local.glue_database_arn, local.glue_tables_arn]
        },
        {
          Sid      = "LakeList"
          Effect   = "Allow"
          Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
          Resource = [local.lake_arn]
        },
        {
          Sid      = "LakeRead"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${local.lake_arn}/raw/*", "${local.lake_arn}/parquet/*", "${local.lake_arn}/parquet-v2/*"]
        },
        {
          Sid      = "QueryRegistry"
          Effect   = "Allow"
          Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
          Resource = [module.query_table.arn]
        },
        {
          Sid      = "UsageMeter"
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["${local.lake_arn}/usage/*"]
        },
        {
          Sid      = "TokenKeys"
          Effect   = "Allow"
          Action   = ["ssm:GetParameter"]
          Resource = [aws_ssm_parameter.token_keys.arn]
        },
        local.kms_statement,
      ], local.athena_results_statements)
    }
  }
}

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
    OPLAKE_LAKE_BUCKET            = module.lake_bucket.bucket
    OPLAKE_GLUE_DATABASE          = module.glue.database_name
    OPLAKE_ATHENA_WORKGROUP       = module.conversion_workgroup.name
    OPLAKE_ATHENA_OUTPUT_LOCATION = "${local.athena_output}conversion/"
    OPLAKE_RAW_TABLE              = module.glue.table_names["raw_events"]
    OPLAKE_EVENTS_TABLE           = module.glue.table_names["events_v2"]
    OPLAKE_LEGACY_EVENTS_TABLE    = var.legacy_events_table ? module.glue.table_names["events"] : ""
    POWERTOOLS_SERVICE_NAME       = "ctas-runner"
    POWERTOOLS_METRICS_NAMESPACE  = "oplake"
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
