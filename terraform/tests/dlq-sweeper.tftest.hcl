# The promises of issue 9: the dlq-sweeper, its schedule and IAM, the alert topic with e-mail
# subscriptions, the alarms and the pipeline dashboard (terraform test, mocked provider).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  dist_dir               = "tests/fixtures/zips"
  sqs_attributes_via_sdk = false
}

run "dlq_sweeper_function" {
  command = apply

  assert {
    condition = (
      module.dlq_sweeper.settings.runtime == "nodejs22.x" &&
      module.dlq_sweeper.settings.tracing_mode == "Active" &&
      module.dlq_sweeper.settings.log_group_retention > 0 &&
      module.dlq_sweeper.settings.source_code_hash == filebase64sha256("tests/fixtures/zips/dlq-sweeper.zip")
    )
    error_message = "The dlq-sweeper is a nodejs22.x function like the others: traced, its own log group, source_code_hash of its zip."
  }

  # One list of dead-letter sources: every queue's DLQ, each with the queue it redrives to.
  assert {
    condition = (
      length(jsondecode(module.dlq_sweeper.settings.environment.OPLAKE_DLQ_SOURCES)) == 2 &&
      alltrue([
        for s in jsondecode(module.dlq_sweeper.settings.environment.OPLAKE_DLQ_SOURCES) :
        contains(["batches", "fanout"], s.name) && s.dlqUrl == local.dlq_sources[s.name].dlq_url && s.queueUrl == local.dlq_sources[s.name].queue_url
      ])
    )
    error_message = "The sweeper reads every DLQ (batches, fanout) and knows each one's source queue."
  }

  assert {
    condition = (
      module.dlq_sweeper.settings.environment.OPLAKE_ALERT_TOPIC_ARN == aws_sns_topic.alarms.arn &&
      module.dlq_sweeper.settings.environment.OPLAKE_FIREHOSE_STREAMS == join(",", module.firehose.stream_names) &&
      module.dlq_sweeper.settings.environment.OPLAKE_LAKE_BUCKET == module.lake_bucket.bucket &&
      !contains(keys(module.dlq_sweeper.settings.environment), "OPLAKE_SWEEP_RULES")
    )
    error_message = "The sweeper alerts on the alarm topic, re-ingests into every stream, and uses the default rules unless set."
  }

  # IAM derived from the code (test/terraform/iam-matches-code.test.ts checks the action list).
  assert {
    condition = alltrue([
      for s in jsondecode(module.dlq_sweeper.policy_documents[1]).Statement :
      s.Sid != "DeadLetterQueues" || (toset(s.Resource) == toset([for q in values(local.dlq_sources) : q.dlq_arn]) && toset(s.Action) == toset(["sqs:ReceiveMessage", "sqs:DeleteMessage"]))
    ])
    error_message = "The sweeper receives and deletes only on the DLQs."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(module.dlq_sweeper.policy_documents[1]).Statement :
      s.Sid != "Alerts" || (s.Resource == [aws_sns_topic.alarms.arn] && s.Action == ["sns:Publish"])
    ])
    error_message = "The sweeper publishes only to the alarm topic."
  }

  assert {
    condition = (
      module.lake_bucket.lifecycle_rules["failures"].prefix == "failures/" &&
      module.lake_bucket.lifecycle_rules["failures"].expiration_days == var.failures_retention_days &&
      module.lake_bucket.lifecycle_rules["archive-dlq"].prefix == "archive/dlq/" &&
      module.lake_bucket.lifecycle_rules["archive-dlq"].expiration_days == var.dlq_archive_retention_days
    )
    error_message = "Failure records and the dead-letter archive expire on their windows."
  }
}

run "dlq_sweeper_schedule" {
  command = apply

  assert {
    condition = (
      aws_scheduler_schedule.dlq_sweeper.schedule_expression == "rate(15 minutes)" &&
      aws_scheduler_schedule.dlq_sweeper.state == "ENABLED" &&
      aws_scheduler_schedule.dlq_sweeper.target[0].arn == module.dlq_sweeper.function_arn &&
      aws_scheduler_schedule.dlq_sweeper.target[0].role_arn == aws_iam_role.dlq_sweeper_scheduler.arn
    )
    error_message = "EventBridge Scheduler runs the sweeper every 15 minutes by default."
  }

  assert {
    condition = (
      jsondecode(aws_iam_role_policy.dlq_sweeper_scheduler.policy).Statement[0].Action == ["lambda:InvokeFunction"] &&
      jsondecode(aws_iam_role_policy.dlq_sweeper_scheduler.policy).Statement[0].Resource == [module.dlq_sweeper.function_arn] &&
      jsondecode(aws_iam_role.dlq_sweeper_scheduler.assume_role_policy).Statement[0].Principal.Service == "scheduler.amazonaws.com"
    )
    error_message = "The schedule's role may invoke the sweeper and nothing else."
  }
}

run "dlq_sweeper_settings_are_configurable" {
  command = apply

  variables {
    dlq_sweeper_schedule_expression = "rate(5 minutes)"
    dlq_sweep_rules                 = "{\"maxRedrives\": 5}"
    alarm_emails                    = ["ops@example.com", "oncall@example.com"]
  }

  assert {
    condition     = aws_scheduler_schedule.dlq_sweeper.schedule_expression == "rate(5 minutes)" && module.dlq_sweeper.settings.environment.OPLAKE_SWEEP_RULES == "{\"maxRedrives\": 5}"
    error_message = "The schedule and the rules follow their variables."
  }

  assert {
    condition = (
      length(aws_sns_topic_subscription.email) == 2 &&
      alltrue([for s in values(aws_sns_topic_subscription.email) : s.protocol == "email" && s.topic_arn == aws_sns_topic.alarms.arn])
    )
    error_message = "Every address of alarm_emails gets an e-mail subscription to the alert topic."
  }
}

run "dlq_sweep_rules_must_be_json" {
  command = plan

  variables {
    dlq_sweep_rules = "maxRedrives=5"
  }

  expect_failures = [var.dlq_sweep_rules]
}

run "alarms" {
  command = apply

  assert {
    condition = alltrue([
      for a in values(aws_cloudwatch_metric_alarm.dlq_age) :
      a.metric_name == "ApproximateAgeOfOldestMessage" && a.threshold == var.dlq_age_alarm_seconds && a.alarm_actions == toset([aws_sns_topic.alarms.arn])
    ]) && toset(keys(aws_cloudwatch_metric_alarm.dlq_age)) == toset(keys(local.dlq_sources))
    error_message = "Every DLQ has an oldest-message age alarm."
  }

  assert {
    condition = (
      length(aws_cloudwatch_metric_alarm.firehose_freshness) == local.firehose_shards &&
      length(aws_cloudwatch_metric_alarm.firehose_delivery_errors) == local.firehose_shards &&
      alltrue([for a in values(aws_cloudwatch_metric_alarm.firehose_freshness) : a.metric_name == "DeliveryToS3.DataFreshness" && a.namespace == "AWS/Firehose" && a.threshold == var.firehose_freshness_alarm_seconds]) &&
      alltrue([for a in values(aws_cloudwatch_metric_alarm.firehose_delivery_errors) : a.metric_name == "DeliveryToS3.Success" && a.comparison_operator == "LessThanThreshold" && a.threshold == 1])
    )
    error_message = "Every Firehose stream has a freshness and a delivery-error alarm."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.workflow_failed.namespace == "AWS/States" &&
      aws_cloudwatch_metric_alarm.workflow_failed.metric_name == "ExecutionsFailed" &&
      aws_cloudwatch_metric_alarm.workflow_failed.dimensions.StateMachineArn == module.nightly_workflow.state_machine_arn
    )
    error_message = "A failed nightly execution raises an alarm."
  }

  assert {
    condition = (
      toset(keys(aws_cloudwatch_metric_alarm.lambda_errors)) == toset(["ingest", "split", "ctas-runner", "nightly", "search", "dlq-sweeper"]) &&
      toset(keys(aws_cloudwatch_metric_alarm.lambda_throttles)) == toset(keys(aws_cloudwatch_metric_alarm.lambda_errors)) &&
      alltrue([for a in values(aws_cloudwatch_metric_alarm.lambda_throttles) : a.metric_name == "Throttles"])
    )
    error_message = "Every function, the sweeper included, has an errors and a throttles alarm."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.nightly_tenant_failures.metric_name == "NightlyTenantFailures" && aws_cloudwatch_metric_alarm.nightly_tenant_failures.dimensions.service == "nightly"
    error_message = "The nightly failure metric raises the critical alarm."
  }

  assert {
    condition = alltrue(flatten([
      for group in [aws_cloudwatch_metric_alarm.dlq_depth, aws_cloudwatch_metric_alarm.dlq_age, aws_cloudwatch_metric_alarm.firehose_freshness, aws_cloudwatch_metric_alarm.firehose_delivery_errors, aws_cloudwatch_metric_alarm.lambda_errors, aws_cloudwatch_metric_alarm.lambda_throttles, { nightly = aws_cloudwatch_metric_alarm.nightly_tenant_failures, workflow = aws_cloudwatch_metric_alarm.workflow_failed }] :
      [for a in values(group) : a.alarm_actions == toset([aws_sns_topic.alarms.arn]) && strcontains(a.alarm_description, "docs/runbook.md#")]
    ]))
    error_message = "Every alarm notifies the alert topic and names its runbook section."
  }
}

run "dashboard" {
  command = apply

  assert {
    condition = alltrue([
      for title in ["Ingest", "Lambda errors", "Queue age", "Firehose freshness", "Nightly outcome", "Dead letters", "Search latency", "bytes scanned"] :
      anytrue([for w in jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets : strcontains(w.properties.title, title)])
    ])
    error_message = "The dashboard shows ingest rate and errors, queue age, Firehose freshness, nightly outcome, dead letters, search latency and scanned bytes."
  }

  assert {
    condition = alltrue([
      for w in jsondecode(aws_cloudwatch_dashboard.pipeline.dashboard_body).widgets : length(w.properties.metrics) > 0
    ])
    error_message = "Every dashboard widget has metrics."
  }
}
