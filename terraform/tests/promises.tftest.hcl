# The promises of issue 5, held by `terraform test` against a mocked AWS provider (offline, seconds).
# Every run applies the whole root module with mocked computed values (tests/mocks/aws.tfmock.hcl).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  dist_dir               = "tests/fixtures/zips"
  sqs_attributes_via_sdk = false
}

run "queues" {
  command = apply

  # Every queue has a DLQ named in its redrive policy, encryption at rest, and maxReceiveCount >= 5.
  assert {
    condition = alltrue([
      for q in [module.batch_queue, module.fanout_queue] :
      q.dead_letter_target_arn == q.dlq_arn && q.sse_enabled && q.max_receive_count >= 5
    ])
    error_message = "Every queue needs a DLQ in its redrive policy, SSE and maxReceiveCount >= 5."
  }

  # Visibility timeout >= 6x the timeout of the function that actually consumes the queue.
  assert {
    condition     = module.batch_queue.visibility_timeout_seconds >= 6 * module.split.timeout
    error_message = "The batch queue's visibility timeout must be >= 6x split's timeout."
  }

  assert {
    condition     = module.fanout_queue.visibility_timeout_seconds >= 6 * module.ctas_runner.timeout
    error_message = "The fan-out queue's visibility timeout must be >= 6x ctas-runner's timeout."
  }

  # The batch queue carries whole batches: 1 MiB messages (raised through the SDK, see modules/queue).
  assert {
    condition     = module.batch_queue.max_message_size == 1048576
    error_message = "The batch queue must accept 1 MiB messages."
  }

  assert {
    condition     = length(module.batch_queue.dlq_url) > 0 && length(module.fanout_queue.dlq_url) > 0
    error_message = "Both queues need a dead-letter queue."
  }
}

run "functions" {
  command = apply

  assert {
    condition = alltrue([
      for f in [module.ingest, module.split, module.ctas_runner, module.nightly, module.search] :
      f.settings.tracing_mode == "Active" && f.settings.log_group_retention > 0 && f.settings.log_group == f.log_group_name && f.settings.runtime == "nodejs22.x"
    ])
    error_message = "Every function needs X-Ray Active tracing, nodejs22.x and its own log group with retention."
  }

  assert {
    condition = alltrue([
      for name, f in { ingest = module.ingest, split = module.split, ctas-runner = module.ctas_runner, nightly = module.nightly, search = module.search } :
      f.settings.source_code_hash == filebase64sha256("tests/fixtures/zips/${name}.zip")
    ])
    error_message = "Every function's source_code_hash must be the SHA-256 of its dist zip."
  }

  # Concurrency where it protects a quota: the function URLs (reserved), split (Firehose rate),
  # ctas-runner (the regional Athena DML quota).
  assert {
    condition     = module.ingest.settings.reserved_concurrency > 0 && module.search.settings.reserved_concurrency > 0
    error_message = "ingest and search need reserved concurrency (the only throttle of a function URL)."
  }

  assert {
    condition     = module.ctas_runner.settings.maximum_concurrency == 75 && module.split.settings.maximum_concurrency == var.split_max_concurrency
    error_message = "ctas-runner and split need a maximum concurrency on their event source mapping."
  }

  assert {
    condition = alltrue([
      for f in [module.split, module.ctas_runner] : contains(f.settings.function_response_types, "ReportBatchItemFailures")
    ])
    error_message = "SQS consumers report partial batch failures."
  }

  # Function URLs: both invoke permissions (October 2025 authorization model).
  assert {
    condition = alltrue([
      for f in [module.ingest, module.search] :
      f.settings.url_auth_type == "NONE" && join(",", f.settings.url_permission_actions) == "lambda:InvokeFunction,lambda:InvokeFunctionUrl"
    ])
    error_message = "ingest and search need a function URL with both lambda:InvokeFunctionUrl and lambda:InvokeFunction permissions."
  }

  assert {
    condition = alltrue([
      for k in ["OPLAKE_BATCH_QUEUE_URL", "OPLAKE_LAKE_BUCKET", "OPLAKE_IDEMPOTENCY_TABLE", "OPLAKE_KEYS_PARAMETER"] :
      contains(keys(module.ingest.settings.environment), k)
    ])
    error_message = "ingest's environment is incomplete."
  }

  assert {
    condition = alltrue([
      for k in ["OPLAKE_GLUE_DATABASE", "OPLAKE_ATHENA_WORKGROUPS", "OPLAKE_WORKGROUP_OVERRIDES", "OPLAKE_ATHENA_OUTPUT", "OPLAKE_KEYS_PARAMETER", "OPLAKE_QUERY_TABLE", "OPLAKE_MAX_CONCURRENT_QUERIES", "OPLAKE_WAIT_BUDGET_MS", "OPLAKE_SCAN_CUTOFF_BYTES"] :
      contains(keys(module.search.settings.environment), k)
    ])
    error_message = "search's environment is incomplete."
  }

  assert {
    condition     = module.split.settings.environment.OPLAKE_FIREHOSE_STREAMS == join(",", module.firehose.stream_names)
    error_message = "split must know every Firehose stream, in shard order."
  }

  assert {
    condition     = module.ctas_runner.settings.environment.OPLAKE_ATHENA_WORKGROUP == module.conversion_workgroup.name
    error_message = "ctas-runner must use the conversion workgroup."
  }
}

run "buckets" {
  command = apply

  assert {
    condition = alltrue([
      for b in [module.lake_bucket, module.athena_results_bucket] : alltrue(values(b.public_access_block))
    ])
    error_message = "Every bucket blocks public access (all four settings)."
  }

  assert {
    condition = alltrue([
      for b in [module.lake_bucket, module.athena_results_bucket] :
      b.encryption.sse_algorithm == "aws:kms" && b.encryption.bucket_key_enabled && b.encryption.kms_master_key_id == module.kms.key_arn
    ])
    error_message = "Every bucket uses SSE-KMS with the deployment key and an S3 bucket key."
  }

  assert {
    condition = alltrue([
      for b in [module.lake_bucket, module.athena_results_bucket] : anytrue([
        for s in jsondecode(b.policy_json).Statement :
        s.Effect == "Deny" && s.Principal == "*" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
      ])
    ])
    error_message = "Every bucket policy denies requests without TLS."
  }

  assert {
    condition = alltrue([
      for b in [module.lake_bucket, module.athena_results_bucket] :
      b.lifecycle_rules["abort-incomplete-multipart-uploads"].abort_incomplete_multipart_upload_days >= 1
    ])
    error_message = "Every bucket aborts incomplete multipart uploads."
  }

  assert {
    condition = (
      module.lake_bucket.lifecycle_rules["raw"].prefix == "raw/" &&
      module.lake_bucket.lifecycle_rules["raw"].expiration_days == var.raw_retention_days &&
      module.lake_bucket.lifecycle_rules["archive-raw"].prefix == "archive/raw/" &&
      module.lake_bucket.lifecycle_rules["archive-raw"].expiration_days == var.archive_raw_retention_days &&
      module.lake_bucket.lifecycle_rules["parquet"].prefix == "parquet/" &&
      module.lake_bucket.lifecycle_rules["parquet"].expiration_days >= 5 * 365 &&
      module.lake_bucket.lifecycle_rules["parquet-v2"].prefix == "parquet-v2/" &&
      module.lake_bucket.lifecycle_rules["parquet-v2"].expiration_days == module.lake_bucket.lifecycle_rules["parquet"].expiration_days &&
      module.lake_bucket.lifecycle_rules["rejects"].prefix == "rejects/" &&
      module.lake_bucket.lifecycle_rules["staging"].expiration_days <= 7 &&
      module.lake_bucket.lifecycle_rules["leases"].prefix == "state/leases/" &&
      module.lake_bucket.lifecycle_rules["leases"].expiration_days == 1 &&
      module.lake_bucket.lifecycle_rules["firehose-errors"].prefix == "errors/firehose/" &&
      module.lake_bucket.lifecycle_rules["usage"].prefix == "usage/" &&
      module.lake_bucket.lifecycle_rules["usage"].expiration_days >= module.lake_bucket.lifecycle_rules["parquet-v2"].expiration_days
    )
    error_message = "The lake's lifecycle: raw and archive/raw windows, 5 years of Parquet, rejects, staging and leftover leases, Firehose errors, usage records at least as long as the data."
  }

  assert {
    condition     = module.athena_results_bucket.lifecycle_rules["results-expiry"].expiration_days == var.athena_results_retention_days
    error_message = "Athena results expire."
  }
}

run "workgroups" {
  command = apply

  assert {
    condition     = length(module.search_workgroup) == var.search_workgroups
    error_message = "The search pool has search_workgroups workgroups."
  }

  assert {
    condition = alltrue([
      for wg in concat([module.conversion_workgroup], values(module.search_workgroup)) :
      wg.settings.enforce_workgroup_configuration &&
      wg.settings.publish_cloudwatch_metrics_enabled &&
      wg.settings.bytes_scanned_cutoff_per_query >= 10000000 &&
      wg.settings.encryption_option == "SSE_KMS" &&
      wg.settings.alarm_count >= 1 &&
      join(",", wg.settings.alarm_metrics) == "ProcessedBytes" &&
      join(",", wg.settings.alarm_actions) == aws_sns_topic.alarms.arn &&
      length(wg.settings.tags) > 0
    ])
    error_message = "Every workgroup: enforced configuration, per-query cutoff, metrics, SSE_KMS results, data usage alarms to SNS, tags."
  }

  assert {
    condition = alltrue([
      for wg in values(module.search_workgroup) : wg.settings.bytes_scanned_cutoff_per_query == var.search_bytes_scanned_cutoff
    ])
    error_message = "Search workgroups use the search cutoff (which search also reads from OPLAKE_SCAN_CUTOFF_BYTES)."
  }
}

run "firehose" {
  command = apply

  assert {
    condition     = length(module.firehose.stream_names) == 2
    error_message = "Two streams unless told otherwise."
  }

  assert {
    condition = alltrue([
      for s in values(module.firehose.settings) :
      s.dynamic_partitioning &&
      s.prefix == "raw/tenant_id=!{partitionKeyFromQuery:tenant_id}/dt=!{partitionKeyFromQuery:dt}/" &&
      startswith(s.error_output_prefix, "errors/firehose/!{firehose:error-output-type}/") &&
      s.compression_format == "GZIP" &&
      s.buffering_size >= 64 && s.buffering_size <= 128 &&
      s.buffering_interval >= 300 && s.buffering_interval <= 900 &&
      s.logging_enabled
    ])
    error_message = "Every stream: dynamic partitioning on tenant_id/dt, error prefix, GZIP, large buffers, logging."
  }

  assert {
    condition = alltrue([
      for s in values(module.firehose.settings) :
      [for p in s.processors : p.type] == ["RecordDeAggregation", "MetadataExtraction", "AppendDelimiterToRecord"] &&
      s.processors[0].parameters["SubRecordType"] == "JSON" &&
      s.processors[1].parameters["MetadataExtractionQuery"] == "{tenant_id:.tenant_id,dt:.dt}" &&
      s.processors[1].parameters["JsonParsingEngine"] == "JQ-1.6"
    ])
    error_message = "Every stream deaggregates JSON records, extracts tenant_id and dt with JQ, and appends new lines."
  }
}

run "firehose_shards_follow_the_variable" {
  command = apply

  variables {
    firehose_shards = 4
  }

  assert {
    condition     = length(module.firehose.stream_names) == 4 && length(split(",", module.split.settings.environment.OPLAKE_FIREHOSE_STREAMS)) == 4
    error_message = "firehose_shards = 4 gives four streams, all known to split."
  }
}

run "glue_tables" {
  command = apply

  assert {
    condition = alltrue([
      for name, t in module.glue.tables :
      t.parameters["projection.enabled"] == "true" &&
      t.parameters["projection.tenant_id.type"] == "injected" &&
      t.parameters["projection.dt.type"] == "date" &&
      t.parameters["projection.dt.format"] == "yyyy-MM-dd" &&
      t.parameters["projection.dt.range"] == "2020-01-01,NOW" &&
      endswith(t.parameters["storage.location.template"], "tenant_id=$${tenant_id}/dt=$${dt}/") &&
      t.partition_keys == ["tenant_id", "dt"]
      if name != "events_month"
    ])
    error_message = "The day tables project tenant_id (injected) and dt (date) partitions."
  }

  # Compacted months: tenant injected, month projected by months; the converted layout's columns
  # plus dt as data (readers split a month by day); its own prefix, never a day table's.
  assert {
    condition = (
      module.glue.tables["events_month"].partition_keys == ["tenant_id", "month"] &&
      module.glue.tables["events_month"].parameters["projection.tenant_id.type"] == "injected" &&
      module.glue.tables["events_month"].parameters["projection.month.type"] == "date" &&
      module.glue.tables["events_month"].parameters["projection.month.format"] == "yyyy-MM" &&
      module.glue.tables["events_month"].parameters["projection.month.interval.unit"] == "MONTHS" &&
      module.glue.tables["events_month"].parameters["projection.month.range"] == "2020-01,NOW" &&
      endswith(module.glue.tables["events_month"].parameters["storage.location.template"], "/parquet-v2-month/tenant_id=$${tenant_id}/month=$${month}/") &&
      endswith(module.glue.tables["events_month"].location, "/parquet-v2-month/") &&
      module.glue.tables["events_month"].serde == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" &&
      module.glue.tables["events_month"].columns == concat(module.glue.tables["events_v2"].columns, ["dt:string"])
    )
    error_message = "events_month projects tenant_id (injected) and month (yyyy-MM) over parquet-v2-month/, with events_v2's columns plus dt."
  }

  # shared/domain/event.ts STORED_COLUMNS minus tenant_id and dt, in order; in the Parquet table
  # ts and received_at are timestamps (ms), in raw JSON text.
  assert {
    condition = module.glue.tables["raw_events"].columns == [
      "event_id:string", "type:string", "ts:string", "device_id:string", "user:string", "host:string", "app:string",
      "title:string", "url:string", "domain:string", "path:string", "op:string", "duration_ms:bigint", "attrs:string",
      "batch_id:string", "received_at:string", "event_pos:int",
      ] && module.glue.tables["events"].columns == module.glue.tables["raw_events"].columns && module.glue.tables["events_v2"].columns == [
      "event_id:string", "type:string", "ts:timestamp", "device_id:string", "user:string", "host:string", "app:string",
      "title:string", "url:string", "domain:string", "path:string", "op:string", "duration_ms:bigint", "attrs:string",
      "batch_id:string", "received_at:timestamp", "event_pos:int",
    ]
    error_message = "The tables' columns are the stored columns minus the partition keys (typed timestamps in events_v2; the previous layout's events keeps text)."
  }

  assert {
    condition     = module.glue.tables["raw_events"].serde == "org.openx.data.jsonserde.JsonSerDe" && endswith(module.glue.tables["raw_events"].location, "/raw/")
    error_message = "raw_events reads JSON under raw/ with the OpenX SerDe."
  }

  assert {
    condition     = module.glue.tables["events"].serde == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" && endswith(module.glue.tables["events"].location, "/parquet/")
    error_message = "events (the previous layout) reads Parquet under parquet/."
  }

  # The two Parquet layouts never share a location: a table never meets files of the other type.
  assert {
    condition = (
      module.glue.tables["events_v2"].serde == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" &&
      endswith(module.glue.tables["events_v2"].location, "/parquet-v2/") &&
      endswith(module.glue.tables["events_v2"].parameters["storage.location.template"], "/parquet-v2/tenant_id=$${tenant_id}/dt=$${dt}/") &&
      endswith(module.glue.tables["events"].parameters["storage.location.template"], "/parquet/tenant_id=$${tenant_id}/dt=$${dt}/")
    )
    error_message = "events_v2 reads Parquet under parquet-v2/ only, events under parquet/ only."
  }
}

run "nightly_workflow" {
  command = apply

  assert {
    condition = (
      module.nightly_workflow.settings.schedule_expression == "cron(0 1 * * ? *)" &&
      module.nightly_workflow.settings.schedule_timezone == "Asia/Tokyo" &&
      module.nightly_workflow.settings.schedule_state == "ENABLED" &&
      module.nightly_workflow.settings.tracing_enabled &&
      module.nightly_workflow.settings.log_retention > 0
    )
    error_message = "The workflow runs at 01:00 Asia/Tokyo by default, traced and logged."
  }

  assert {
    condition     = !strcontains(module.nightly_workflow.settings.definition, "$${") && can(jsondecode(module.nightly_workflow.settings.definition))
    error_message = "The ASL template renders to JSON with every placeholder filled."
  }

  assert {
    condition     = strcontains(module.nightly_workflow.settings.definition, module.fanout_queue.queue_url)
    error_message = "The workflow fans out through the fan-out queue."
  }
}

run "nightly_schedule_is_configurable" {
  command = apply

  variables {
    nightly_schedule_expression = "cron(30 2 * * ? *)"
    nightly_schedule_timezone   = "UTC"
  }

  assert {
    condition     = module.nightly_workflow.settings.schedule_expression == "cron(30 2 * * ? *)" && module.nightly_workflow.settings.schedule_timezone == "UTC"
    error_message = "The schedule follows its variables."
  }
}

run "intraday_schedule" {
  command = apply

  assert {
    condition = (
      length(module.nightly_workflow.settings.intraday_schedule) == 1 &&
      module.nightly_workflow.settings.intraday_schedule[0].expression == "cron(30 * * * ? *)" &&
      module.nightly_workflow.settings.intraday_schedule[0].state == "ENABLED" &&
      jsondecode(module.nightly_workflow.settings.intraday_schedule[0].input) == { mode = "intraday" } &&
      module.nightly_workflow.settings.intraday_schedule[0].target == module.nightly_workflow.state_machine_arn &&
      jsondecode(module.nightly_workflow.settings.schedule_input) == {}
    )
    error_message = "By default the same workflow also runs hourly at half past (not with the 01:00 nightly run) with {\"mode\":\"intraday\"}; the nightly schedule keeps {}."
  }

  assert {
    condition     = module.nightly.settings.environment.OPLAKE_INTRADAY_MIN_RAW_BYTES == "67108864"
    error_message = "Intraday runs convert only tenant-days with 64 MiB pending by default (docs/nightly.md)."
  }
}

run "intraday_schedule_is_configurable_and_can_be_off" {
  command = apply

  variables {
    intraday_schedule_expression = "cron(15 9-18 ? * MON-FRI *)"
    intraday_min_raw_bytes       = 268435456
  }

  assert {
    condition = (
      module.nightly_workflow.settings.intraday_schedule[0].expression == "cron(15 9-18 ? * MON-FRI *)" &&
      module.nightly_workflow.settings.intraday_schedule[0].timezone == "Asia/Tokyo" &&
      module.nightly.settings.environment.OPLAKE_INTRADAY_MIN_RAW_BYTES == "268435456"
    )
    error_message = "The intraday schedule and threshold follow their variables."
  }
}

run "intraday_schedule_off" {
  command = apply

  variables {
    intraday_schedule_expression = null
  }

  assert {
    condition     = length(module.nightly_workflow.settings.intraday_schedule) == 0 && module.nightly_workflow.settings.schedule_state == "ENABLED"
    error_message = "null turns the intraday schedule off; the nightly one stays."
  }
}

run "discover_may_list_parquet_v2_without_the_parquet_retention_area" {
  command = apply

  variables {
    nightly_retention_areas = ["staging"]
  }

  assert {
    condition = contains(
      [for st in jsondecode(module.nightly.policy_documents[1]).Statement : st if st.Sid == "ListLake"][0].Condition.StringLike["s3:prefix"],
      "parquet-v2/*"
    )
    error_message = "Discover lists the hot days under parquet-v2/ (the overlap backstop) whatever the retention areas."
  }
}

run "intraday_min_raw_bytes_is_validated" {
  command = plan

  variables {
    intraday_min_raw_bytes = -1
  }

  expect_failures = [var.intraday_min_raw_bytes]
}

run "alarms_and_secrets" {
  command = apply

  assert {
    condition = alltrue([
      for a in values(aws_cloudwatch_metric_alarm.dlq_depth) :
      a.metric_name == "ApproximateNumberOfMessagesVisible" && a.threshold == var.dlq_depth_alarm_threshold && a.comparison_operator == "GreaterThanThreshold" && a.alarm_actions == toset([aws_sns_topic.alarms.arn])
    ]) && length(aws_cloudwatch_metric_alarm.dlq_depth) == 2
    error_message = "Every DLQ has a depth alarm (the sweeper empties DLQs; a backlog is critical) to the alarm topic."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.nightly_tenant_failures.metric_name == "NightlyTenantFailures" && aws_cloudwatch_metric_alarm.nightly_tenant_failures.threshold == 0
    error_message = "NightlyTenantFailures > 0 raises the critical alarm."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.lambda_errors) == 6
    error_message = "Every function has an errors alarm."
  }

  assert {
    condition     = aws_ssm_parameter.token_keys.type == "SecureString" && aws_ssm_parameter.token_keys.key_id == module.kms.key_arn
    error_message = "The token key set is a SecureString under the deployment key."
  }

  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == module.kms.key_arn
    error_message = "The alarm topic is encrypted."
  }
}

run "iam" {
  command = apply

  # No "*" anywhere in an action (no service:* and no wildcard suffixes).
  assert {
    condition = alltrue(flatten([
      for role, docs in output.iam_policy_documents : [
        for doc in docs : [
          for s in jsondecode(doc).Statement : [for a in flatten([s.Action]) : !strcontains(a, "*")]
        ]
      ]
    ]))
    error_message = "No IAM policy may use a * action."
  }

  # Resource "*" only for actions that take no resource ARN (X-Ray, CloudWatch Logs delivery).
  assert {
    condition = alltrue(flatten([
      for role, docs in output.iam_policy_documents : [
        for doc in docs : [
          for s in jsondecode(doc).Statement : [
            for a in flatten([s.Action]) : !contains(flatten([s.Resource]), "*") || contains([
              "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
              "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
              "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
            ], a)
          ]
        ]
      ]
    ]))
    error_message = "Resource * only where the action cannot name a resource."
  }

  assert {
    condition     = length(output.iam_policy_documents) == 8
    error_message = "Every role's policies are listed for this check."
  }
}

run "validation_rejects_a_small_cutoff" {
  command = plan

  variables {
    search_bytes_scanned_cutoff = 1000
  }

  expect_failures = [var.search_bytes_scanned_cutoff]
}

run "validation_rejects_small_firehose_buffers" {
  command = plan

  variables {
    firehose_buffering_size_mb = 5
  }

  expect_failures = [var.firehose_buffering_size_mb]
}

run "tables_follow_the_code" {
  command = apply

  # Powertools idempotency defaults (functions/ingest/handler.ts keyAttr "id") and the query
  # registry's keys (shared/adapters/aws/dynamodb-query-registry.ts).
  assert {
    condition = (
      module.idempotency_table.hash_key == "id" && module.idempotency_table.ttl_attribute == "expiration" &&
      module.query_table.hash_key == "pk" && module.query_table.ttl_attribute == "ttl"
    )
    error_message = "Table keys and TTL attributes must be the ones the code uses."
  }
}

run "console_static_site" {
  command = apply

  # Private bucket, read only by this distribution through origin access control.
  assert {
    condition     = alltrue(values(module.console[0].settings.public_access_block)) && module.console[0].settings.sse_algorithm == "AES256"
    error_message = "The console bucket blocks public access and is encrypted."
  }

  assert {
    condition = anytrue([
      for s in jsondecode(module.console[0].settings.policy_json).Statement :
      s.Effect == "Allow" && s.Principal == { Service = "cloudfront.amazonaws.com" } && s.Action == "s3:GetObject" &&
      try(s.Condition.StringEquals["AWS:SourceArn"], "") == "arn:aws:cloudfront::123456789012:distribution/EMOCKDIST"
      ]) && anytrue([
      for s in jsondecode(module.console[0].settings.policy_json).Statement :
      s.Effect == "Deny" && try(s.Condition.Bool["aws:SecureTransport"], "") == "false"
    ])
    error_message = "Only the console's distribution reads the bucket (AWS:SourceArn), and never without TLS."
  }

  assert {
    condition     = module.console[0].settings.origin_access_control_id == "EMOCKOAC" && module.console[0].settings.oac_signing == "always/sigv4"
    error_message = "The distribution reads the bucket through origin access control, signing every request (SigV4)."
  }

  # HTTPS and security headers on every answer.
  assert {
    condition = (
      module.console[0].settings.viewer_protocol_policy == "redirect-to-https" &&
      module.console[0].settings.headers_policy_attached &&
      module.console[0].settings.frame_option == "DENY" &&
      module.console[0].settings.referrer_policy == "no-referrer" &&
      module.console[0].settings.hsts_max_age >= 31536000 &&
      strcontains(module.console[0].settings.csp, "script-src 'self'") &&
      strcontains(module.console[0].settings.csp, "frame-ancestors 'none'") &&
      strcontains(module.console[0].settings.csp, "connect-src 'self' https://*.lambda-url.ap-northeast-1.on.aws")
    )
    error_message = "The console is HTTPS only with CSP, HSTS, frame denial and no referrer."
  }

  # The built files are uploaded; config.json is written by Terraform with the search URL.
  assert {
    condition     = join(",", module.console[0].files) == "config.json,console.js,index.html,styles.css"
    error_message = "Every built file is uploaded, and config.json once."
  }

  assert {
    condition     = jsondecode(module.console[0].config_json).apiUrl == "https://mock.lambda-url.ap-northeast-1.on.aws"
    error_message = "config.json points the page at the search function URL."
  }

  # CORS on the search function URL: the console's origin only, never "*".
  assert {
    condition = (
      module.search.settings.url_cors.allow_origins == toset(["https://d111111abcdef8.cloudfront.net"]) &&
      contains(module.search.settings.url_cors.allow_headers, "authorization") &&
      module.ingest.settings.url_cors == null
    )
    error_message = "The search function URL allows the console's origin only; ingest has no CORS."
  }
}

run "console_can_be_left_out" {
  command = plan

  variables {
    console_enabled       = false
    console_extra_origins = ["https://console.example.co.jp"]
  }

  assert {
    condition     = length(module.console) == 0 && output.console_url == null
    error_message = "console_enabled = false deploys no static site."
  }
}

run "console_rejects_a_wildcard_origin" {
  command = plan

  variables {
    console_extra_origins = ["*"]
  }

  expect_failures = [var.console_extra_origins]
}
