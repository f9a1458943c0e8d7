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

locals {
  dead_letter_queues = {
    batches = module.batch_queue.dlq_name
    fanout  = module.fanout_queue.dlq_name
  }

  functions = {
    ingest      = module.ingest.function_name
    split       = module.split.function_name
    ctas-runner = module.ctas_runner.function_name
    nightly     = module.nightly.function_name
    search      = module.search.function_name
  }
}

# Critical: any message in a DLQ is a batch (or a tenant's nightly task) that failed every retry.
resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each = local.dead_letter_queues

  alarm_name          = "${var.name}-critical-dlq-${each.key}"
  alarm_description   = "CRITICAL: ${each.value} holds messages that failed every retry (redrive with StartMessageMoveTask once fixed)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# Critical: the nightly summary counts tenants whose conversion failed after every retry
# (Powertools EMF metric, namespace oplake, dimension service = nightly).
resource "aws_cloudwatch_metric_alarm" "nightly_tenant_failures" {
  alarm_name          = "${var.name}-critical-nightly-tenant-failures"
  alarm_description   = "CRITICAL: the nightly conversion failed for at least one tenant after retries; its days stay pending for the next run."
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
  alarm_description   = "The nightly workflow execution failed, timed out or was aborted."
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
  alarm_description   = "${each.value} raised errors (unhandled exceptions or timeouts)."
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

resource "aws_cloudwatch_metric_alarm" "ingest_throttles" {
  alarm_name          = "${var.name}-ingest-throttles"
  alarm_description   = "ingest hit its reserved concurrency: agents get 429 and retry; raise ingest_reserved_concurrency if sustained."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = module.ingest.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}
