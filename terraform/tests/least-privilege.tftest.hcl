# Least privilege and encryption at rest (issue 18, items 9 and 11), held on the rendered policies
# of every role and the key policy, against a mocked provider (tests/mocks): the resources and
# conditions of each grant, not only its actions (test/terraform/iam-matches-code.test.ts checks
# the actions against the code).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  dist_dir               = "tests/fixtures/zips"
  sqs_attributes_via_sdk = false
}

# The mocks give every bucket the same ARN; the lake's grants are told apart from the results
# bucket's by theirs.
override_resource {
  target = module.athena_results_bucket.aws_s3_bucket.this
  values = {
    arn = "arn:aws:s3:::oplake-mock-results"
  }
}

run "ctas_runner_creates_and_drops_only_its_temporary_tables" {
  command = apply

  # shared/adapters/aws/athena-conversion-engine.ts tempTableName (tmp_conv_...) and
  # athena-compaction-engine.ts monthTempTableName (tmp_comp_...); Glue also authorizes the
  # catalog and the database of a CreateTable / DeleteTable.
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(output.iam_policy_documents["ctas-runner"][1]).Statement : [
        for r in flatten([s.Resource]) : contains([
          "arn:aws:glue:ap-northeast-1:123456789012:catalog",
          "arn:aws:glue:ap-northeast-1:123456789012:database/${module.glue.database_name}",
          "arn:aws:glue:ap-northeast-1:123456789012:table/${module.glue.database_name}/tmp_conv_*",
          "arn:aws:glue:ap-northeast-1:123456789012:table/${module.glue.database_name}/tmp_comp_*",
        ], r)
      ] if length(setintersection(toset(flatten([s.Action])), toset(["glue:CreateTable", "glue:DeleteTable"]))) > 0
    ]))
    error_message = "ctas-runner may create and delete its temporary tables (tmp_conv_*, tmp_comp_*) only, never the deployment's tables."
  }

  assert {
    condition = length([
      for s in jsondecode(output.iam_policy_documents["ctas-runner"][1]).Statement : s
      if contains(flatten([s.Action]), "glue:CreateTable") && contains(flatten([s.Action]), "glue:DeleteTable")
    ]) == 1
    error_message = "ctas-runner has one statement that creates and drops its temporary tables."
  }

  # No other role writes the catalog.
  assert {
    condition = alltrue(flatten([
      for role, docs in output.iam_policy_documents : [
        for doc in docs : [
          for s in jsondecode(doc).Statement : [
            for a in flatten([s.Action]) : !startswith(a, "glue:") || contains(["glue:GetDatabase", "glue:GetTable"], a)
          ]
        ]
      ] if role != "ctas-runner"
    ]))
    error_message = "Only ctas-runner changes the Glue catalog."
  }
}

run "the_key_only_through_the_services_each_role_uses" {
  command = apply

  # kms:ViaService: a role's key grant works only in requests those services make for it (S3
  # objects, SQS messages, DynamoDB items, the SSM SecureString, the SNS topic), never directly.
  assert {
    condition = alltrue(flatten([
      for role, docs in output.iam_policy_documents : [
        for doc in docs : [
          for s in jsondecode(doc).Statement :
          sort(try(flatten([s.Condition.StringEquals["kms:ViaService"]]), [])) == sort([
            for svc in {
              ingest           = ["dynamodb", "s3", "sqs", "ssm"]
              split            = ["s3", "sqs"]
              ctas-runner      = ["s3", "sqs"]
              nightly          = ["s3"]
              search           = ["dynamodb", "s3", "ssm"]
              dlq-sweeper      = ["s3", "sns", "sqs"]
              firehose         = ["s3"]
              nightly-workflow = ["s3", "sqs"]
            }[role] : "${svc}.ap-northeast-1.amazonaws.com"
          ])
          if anytrue([for a in flatten([s.Action]) : startswith(a, "kms:")])
        ]
      ]
    ]))
    error_message = "Every role's KMS grant needs kms:ViaService naming exactly the services it reaches the key through (region-qualified)."
  }

  assert {
    condition = alltrue([
      for role, docs in output.iam_policy_documents : length(flatten([
        for doc in docs : [for s in jsondecode(doc).Statement : s if anytrue([for a in flatten([s.Action]) : startswith(a, "kms:")])]
      ])) == 1
    ])
    error_message = "Every role has exactly one KMS grant (the check above is not vacuous)."
  }

  assert {
    condition = alltrue(flatten([
      for role, docs in output.iam_policy_documents : [
        for doc in docs : [
          for s in jsondecode(doc).Statement : flatten([s.Resource]) == [module.kms.key_arn]
          if anytrue([for a in flatten([s.Action]) : startswith(a, "kms:")])
        ]
      ]
    ]))
    error_message = "KMS grants name the deployment key only."
  }
}

run "the_key_policy_grants_services_for_this_deployment_only" {
  command = apply

  # CloudWatch alarms publish to the encrypted alarm topic: the service may use the key for
  # this account's alarms of this deployment only (aws:SourceAccount, aws:SourceArn).
  assert {
    condition = alltrue([
      for s in jsondecode(module.kms.policy_json).Statement :
      try(s.Condition.StringEquals["aws:SourceAccount"], "") == "123456789012" &&
      try(s.Condition.ArnLike["aws:SourceArn"], "") == "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:${var.name}-*"
      if can(s.Principal.Service)
    ])
    error_message = "A service principal in the key policy needs aws:SourceAccount and aws:SourceArn (this deployment's alarms)."
  }

  assert {
    condition = [
      for s in jsondecode(module.kms.policy_json).Statement : s.Principal.Service if can(s.Principal.Service)
    ] == ["cloudwatch.amazonaws.com"]
    error_message = "The key policy names one service principal: CloudWatch (alarm actions to the encrypted topic)."
  }

  # Every alarm of the deployment matches the pattern, or its notification would be dropped.
  assert {
    condition = alltrue([
      for name in concat(
        [for a in aws_cloudwatch_metric_alarm.dlq_depth : a.alarm_name],
        [for a in aws_cloudwatch_metric_alarm.lambda_errors : a.alarm_name],
        [aws_cloudwatch_metric_alarm.nightly_tenant_failures.alarm_name],
        flatten([for wg in concat([module.conversion_workgroup], values(module.search_workgroup)) : wg.alarm_names]),
      ) : startswith(name, "${var.name}-")
    ])
    error_message = "Every alarm is named <name>-..., as the key policy's aws:SourceArn pattern expects."
  }
}

run "lake_listing_is_limited_to_the_prefixes_each_role_reads" {
  command = apply

  assert {
    condition = alltrue(flatten([
      for role, docs in output.iam_policy_documents : [
        for doc in docs : [
          for s in jsondecode(doc).Statement :
          length(try(s.Condition.StringLike["s3:prefix"], [])) > 0 && !contains(try(s.Condition.StringLike["s3:prefix"], []), "*")
          if contains(flatten([s.Action]), "s3:ListBucket") && contains(flatten([s.Resource]), module.lake_bucket.arn)
        ]
      ] if role != "firehose"
    ]))
    error_message = "Every function's s3:ListBucket on the lake needs an s3:prefix condition (no role lists the whole bucket)."
  }

  # search reads the tenant's data areas only (shared/domain/layout.ts partitionPrefix, through
  # Athena's listing of each partition location).
  assert {
    condition = sort(flatten([
      for s in jsondecode(output.iam_policy_documents["search"][1]).Statement : try(s.Condition.StringLike["s3:prefix"], [])
      if contains(flatten([s.Action]), "s3:ListBucket") && contains(flatten([s.Resource]), module.lake_bucket.arn)
    ])) == sort(["parquet-v2-month/*", "parquet-v2/*", "parquet/*", "raw/*"])
    error_message = "search lists raw/, parquet/, parquet-v2/ and parquet-v2-month/ of the lake only."
  }

  # Athena results: each role under the output location its workgroup enforces, never the
  # other's (conversion/ for ctas-runner, search/<workgroup>/ for search).
  assert {
    condition = alltrue(flatten([
      for role, prefix in { ctas-runner = "conversion/", search = "search/" } : [
        for s in jsondecode(output.iam_policy_documents[role][1]).Statement : [
          for r in flatten([s.Resource]) : r == "${module.athena_results_bucket.arn}/${prefix}*"
          if startswith(r, "${module.athena_results_bucket.arn}/")
        ]
      ]
    ]))
    error_message = "ctas-runner reads and writes results under conversion/ only, search under search/ only."
  }

  assert {
    condition = alltrue(flatten([
      for role, prefix in { ctas-runner = "conversion/", search = "search/" } : [
        for s in jsondecode(output.iam_policy_documents[role][1]).Statement :
        try(s.Condition.StringLike["s3:prefix"], []) == ["${prefix}*"]
        if contains(flatten([s.Action]), "s3:ListBucket") && contains(flatten([s.Resource]), module.athena_results_bucket.arn)
      ]
    ]))
    error_message = "ctas-runner and search list their own results prefix only."
  }

  # s3:prefix is absent from GetBucketLocation: it stays in a statement without that condition.
  assert {
    condition = alltrue(flatten([
      for role, docs in output.iam_policy_documents : [
        for doc in docs : [
          for s in jsondecode(doc).Statement : !contains(flatten([s.Action]), "s3:GetBucketLocation") || !can(s.Condition.StringLike["s3:prefix"])
        ]
      ]
    ]))
    error_message = "GetBucketLocation carries no s3:prefix condition (the request has none, so it would always be denied)."
  }
}

run "queues_and_streams_use_the_customer_managed_key" {
  command = apply

  assert {
    condition = alltrue(flatten([
      for q in [module.batch_queue, module.fanout_queue] : [
        for e in values(q.encryption) :
        e.kms_master_key_id == module.kms.key_arn && e.kms_data_key_reuse_period_seconds >= 60 && e.kms_data_key_reuse_period_seconds <= 86400
      ]
    ]))
    error_message = "Every queue and DLQ is encrypted with the deployment key (SSE-KMS, a data key reuse period set), not SSE-SQS."
  }

  assert {
    condition = alltrue([
      for s in values(module.firehose.settings) :
      s.sse_enabled && s.sse_key_type == "CUSTOMER_MANAGED_CMK" && s.sse_key_arn == module.kms.key_arn && s.s3_kms_key_arn == module.kms.key_arn
    ])
    error_message = "Every Firehose stream buffers under the deployment key (CUSTOMER_MANAGED_CMK) and writes S3 objects with it."
  }

  assert {
    condition     = length(module.firehose.settings) == length(module.firehose.stream_names) && length(module.firehose.stream_names) > 0
    error_message = "Every stream is checked."
  }
}
