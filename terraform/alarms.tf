resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = module.kms.key_arn
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# Every alarm's runbook entry: docs/runbook.md (one section per alarm and sweeper alert).

locals {
  dead_letter_queues = { for name, s in local.dlq_sources : name => s.dlq_name }

  functions = {
    ingest      = module.ingest.function_name
    split       = module.split.function_name
    ctas-runner = module.ctas_runner.function_name
    nightly     = module.nightly.function_name
    search      = module.search.function_name
    dlq-sweeper = module.dlq_sweeper.function_name
  }
}

# The dlq-sweeper empties every DLQ each run (redrive or archive), so a message there is normal;
# a backlog means the sweeper cannot keep up or is failing.
resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each = local.dead_letter_queues

  alarm_name          = "${var.name}-critical-dlq-${each.key}"
  alarm_description   = "CRITICAL: ${each.value} holds more than ${var.dlq_depth_alarm_threshold} dead letters; the dlq-sweeper is not emptying it (docs/runbook.md#dlq-depth)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.dlq_depth_alarm_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# Critical: the nightly summary counts tenants whose conversion failed after every retry
# (Powertools EMF metric, namespace oplake, dimension service = nightly).
resource "aws_cloudwatch_metric_alarm" "nightly_tenant_failures" {
  alarm_name          = "${var.name}-critical-nightly-tenant-failures"
  alarm_description   = "CRITICAL: the nightly conversion failed for at least one tenant after retries; its days stay pending for the next run (docs/runbook.md#nightly_tenant_failed)."
  namespace           = "oplake"
  metric_name         = "NightlyTenantFailures"
  dimensions          = { service = "nightly" }
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "workflow_failed" {
  alarm_name          = "${var.name}-nightly-execution-failed"
  alarm_description   = "The nightly workflow execution failed, timed out or was aborted (docs/runbook.md#nightly-execution-failed)."
  namespace           = "AWS/States"
  metric_name         = "ExecutionsFailed"
  dimensions          = { StateMachineArn = module.nightly_workflow.state_machine_arn }
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = local.functions

  alarm_name          = "${var.name}-lambda-errors-${each.key}"
  alarm_description   = "${each.value} raised errors (unhandled exceptions or timeouts) (docs/runbook.md#lambda-errors)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "dlq_age" {
  for_each = local.dead_letter_queues

  alarm_name          = "${var.name}-critical-dlq-age-${each.key}"
  alarm_description   = "CRITICAL: the oldest message of ${each.value} is older than ${var.dlq_age_alarm_seconds} s; the dlq-sweeper is not redriving or archiving it (docs/runbook.md#dlq-age)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.dlq_age_alarm_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "firehose_freshness" {
  for_each = toset(module.firehose.stream_names)

  alarm_name          = "${var.name}-firehose-freshness-${each.key}"
  alarm_description   = "${each.key}: the oldest record not yet in S3 is older than ${var.firehose_freshness_alarm_seconds} s (docs/runbook.md#firehose-freshness)."
  namespace           = "AWS/Firehose"
  metric_name         = "DeliveryToS3.DataFreshness"
  dimensions          = { DeliveryStreamName = each.key }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.firehose_freshness_alarm_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "firehose_delivery_errors" {
  for_each = toset(module.firehose.stream_names)

  alarm_name          = "${var.name}-critical-firehose-delivery-${each.key}"
  alarm_description   = "CRITICAL: ${each.key} failed to deliver to S3 (DeliveryToS3.Success < 1); records go to errors/firehose/ (docs/runbook.md#firehose-delivery)."
  namespace           = "AWS/Firehose"
  metric_name         = "DeliveryToS3.Success"
  dimensions          = { DeliveryStreamName = each.key }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = local.functions

  alarm_name          = "${var.name}-lambda-throttles-${each.key}"
  alarm_description   = "${each.value} was throttled for 15 minutes (ingest and search: reserved concurrency, agents and admins get 429; the rest: account concurrency) (docs/runbook.md#lambda-throttles)."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}
