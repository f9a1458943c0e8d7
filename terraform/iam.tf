# What each function may call. Each policy lists exactly the calls its code makes
# (test/terraform/iam-matches-code.test.ts compares them with the SDK commands in functions/<name>);
# the functions themselves are in functions.tf (the dlq-sweeper in dlq-sweeper.tf).

locals {
  lake_arn    = module.lake_bucket.arn
  results_arn = module.athena_results_bucket.arn

  glue_catalog_arn  = "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog"
  glue_database_arn = "arn:${local.partition}:glue:${local.region}:${local.account_id}:database/${module.glue.database_name}"
  # The tables the functions read (raw_events, events_v2, events, events_month).
  glue_read_table_arns = [for t in values(module.glue.table_names) : "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${module.glue.database_name}/${t}"]
  # ctas-runner's temporary CTAS tables: shared/adapters/aws/athena-conversion-engine.ts
  # tempTableName (tmp_conv_...) and athena-compaction-engine.ts monthTempTableName (tmp_comp_...);
  # test/terraform/ctas-temp-tables-match-code.test.ts holds the names the code makes to them.
  ctas_temp_table_prefixes = ["tmp_conv_", "tmp_comp_"]
  ctas_temp_table_arns     = [for p in local.ctas_temp_table_prefixes : "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${module.glue.database_name}/${p}*"]

  # Each role uses the key only through the services it reaches it by (kms:ViaService): S3
  # objects (Athena reads and writes them through S3 with the caller's credentials), SQS
  # messages (producers and consumers, the Lambda event source mappings included: both actions,
  # as a consumer's receive can move a message to the DLQ), DynamoDB items, the SSM SecureString,
  # the SNS alarm topic. Firehose needs no grant from its producers: it uses its own KMS grant.
  kms_services = {
    ingest           = ["dynamodb", "s3", "sqs", "ssm"]
    split            = ["s3", "sqs"]
    ctas_runner      = ["s3", "sqs"]
    nightly          = ["s3"]
    search           = ["dynamodb", "s3", "ssm"]
    dlq_sweeper      = ["s3", "sns", "sqs"]
    nightly_workflow = ["s3", "sqs"]
  }
  kms_statement = {
    for role, services in local.kms_services : role => {
      Sid       = "LakeKey"
      Effect    = "Allow"
      Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource  = [module.kms.key_arn]
      Condition = { StringEquals = { "kms:ViaService" = [for svc in services : "${svc}.${local.region}.amazonaws.com"] } }
    }
  }

  # Athena runs the query with the caller's credentials: results bucket access is the caller's,
  # under the output location its workgroup enforces (conversion/, search/<workgroup>/).
  athena_results_statements = {
    for role, prefix in { ctas_runner = "conversion/", search = "search/" } : role => [
      {
        Sid      = "AthenaResultsBucket"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
        Resource = [local.results_arn]
      },
      {
        Sid       = "AthenaResultsList"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = [local.results_arn]
        Condition = { StringLike = { "s3:prefix" = ["${prefix}*"] } }
      },
      {
        Sid      = "AthenaResultsObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
        Resource = ["${local.results_arn}/${prefix}*"]
      },
    ]
  }

  # What ctas-runner reads, writes and lists in the lake (Athena lists each location it reads
  # and the staging prefix it writes). Tenant-day leases: shared/adapters/aws/s3-day-leases.ts.
  ctas_runner_prefixes = ["raw/", "archive/raw/", "parquet/", "parquet-v2/", "parquet-v2-month/", "staging/", "failures/", "state/leases/"]
  # What search reads through Athena: the tenant's partitions of the data areas (layout.ts).
  search_prefixes = ["raw/", "parquet/", "parquet-v2/", "parquet-v2-month/"]

  # shared/domain/layout.ts prefixes of the retention areas the nightly job enforces.
  # parquet covers both layouts: parquet-v2/ and the previous layout's parquet/.
  retention_area_prefixes = {
    parquet    = ["parquet-v2/", "parquet/", "parquet-v2-month/"]
    archiveRaw = ["archive/raw/"]
    rejects    = ["rejects/"]
    staging    = ["staging/"]
  }
  nightly_retention_prefixes = flatten([for a in var.nightly_retention_areas : local.retention_area_prefixes[a]])
  # Discover lists raw/, the previous layout's parquet/ (the bounded nightly migration) and the hot
  # days under parquet-v2/ (days two overlapping conversions left with two runs' files).
  nightly_list_prefixes = distinct(concat(["raw/", "parquet/", "parquet-v2/"], local.nightly_retention_prefixes))

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
        local.kms_statement["ingest"],
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
          # Read a claim-checked batch; replace its body by the delivery receipt (shared/ingest/spool.ts).
          Sid      = "Spool"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject"]
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
        local.kms_statement["split"],
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
          Sid      = "GlueRead"
          Effect   = "Allow"
          Action   = ["glue:GetDatabase", "glue:GetTable"]
          Resource = concat([local.glue_catalog_arn, local.glue_database_arn], local.glue_read_table_arns, local.ctas_temp_table_arns)
        },
        {
          # CTAS creates its temporary table, DROP TABLE removes it: those tables only.
          Sid      = "GlueTempTables"
          Effect   = "Allow"
          Action   = ["glue:CreateTable", "glue:DeleteTable"]
          Resource = concat([local.glue_catalog_arn, local.glue_database_arn], local.ctas_temp_table_arns)
        },
        {
          Sid      = "LakeLocation"
          Effect   = "Allow"
          Action   = ["s3:GetBucketLocation"]
          Resource = [local.lake_arn]
        },
        {
          Sid       = "LakeList"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = [local.lake_arn]
          Condition = { StringLike = { "s3:prefix" = [for p in local.ctas_runner_prefixes : "${p}*"] } }
        },
        {
          Sid      = "LakeObjects"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
          Resource = [for p in local.ctas_runner_prefixes : "${local.lake_arn}/${p}*"]
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
        local.kms_statement["ctas_runner"],
      ], local.athena_results_statements["ctas_runner"])
    }

    nightly = {
      Version = "2012-10-17"
      Statement = [
        {
          # Discover lists raw/, parquet/ and parquet-v2/; retention lists the areas it enforces.
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
        local.kms_statement["nightly"],
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
        local.kms_statement["dlq_sweeper"],
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
          Resource = concat([local.glue_catalog_arn, local.glue_database_arn], local.glue_read_table_arns)
        },
        {
          Sid      = "LakeLocation"
          Effect   = "Allow"
          Action   = ["s3:GetBucketLocation"]
          Resource = [local.lake_arn]
        },
        {
          # Athena lists each partition location it reads: tenant_id=T/... under these areas.
          Sid       = "LakeList"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = [local.lake_arn]
          Condition = { StringLike = { "s3:prefix" = [for p in local.search_prefixes : "${p}*"] } }
        },
        {
          Sid      = "LakeRead"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = [for p in local.search_prefixes : "${local.lake_arn}/${p}*"]
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
        local.kms_statement["search"],
      ], local.athena_results_statements["search"])
    }
  }
}
