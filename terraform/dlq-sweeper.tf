# The dlq-sweeper (functions/dlq-sweeper, docs/runbook.md): every dead-letter queue of the deployment
# (one list: local.dlq_sources) and the Firehose error prefix, on an EventBridge Scheduler schedule.

locals {
  # Every DLQ the sweeper empties, with the queue its letters are redriven to. A new queue with a
  # DLQ is added here and nowhere else (its depth and age alarms follow from this map too).
  dlq_sources = {
    batches = {
      dlq_name  = module.batch_queue.dlq_name
      dlq_url   = module.batch_queue.dlq_url
      dlq_arn   = module.batch_queue.dlq_arn
      queue_url = module.batch_queue.queue_url
      queue_arn = module.batch_queue.queue_arn
    }
    fanout = {
      dlq_name  = module.fanout_queue.dlq_name
      dlq_url   = module.fanout_queue.dlq_url
      dlq_arn   = module.fanout_queue.dlq_arn
      queue_url = module.fanout_queue.queue_url
      queue_arn = module.fanout_queue.queue_arn
    }
  }

  # shared/domain/layout.ts: failure records, the archive, alert dedup state, Firehose's error prefix.
  dlq_sweeper_prefixes = ["failures/", "archive/dlq/", "state/alerts/", "errors/firehose/"]
}

module "dlq_sweeper" {
  source = "./modules/lambda-function"

  function_name      = "${var.name}-dlq-sweeper"
  description        = "Scheduled: redrive transient dead letters with backoff, archive the rest to archive/dlq/, re-ingest Firehose errors, alert on critical rules"
  zip_path           = "${local.dist_dir}/dlq-sweeper.zip"
  architecture       = var.lambda_architecture
  memory_size        = 512
  timeout            = local.timeouts.dlq_sweeper
  log_retention_days = var.log_retention_days
  policy_json        = jsonencode(local.policies.dlq_sweeper)

  environment = merge({
    OPLAKE_LAKE_BUCKET           = module.lake_bucket.bucket
    OPLAKE_DLQ_SOURCES           = jsonencode([for name, s in local.dlq_sources : { name = name, dlqUrl = s.dlq_url, queueUrl = s.queue_url }])
    OPLAKE_FIREHOSE_STREAMS      = join(",", module.firehose.stream_names)
    OPLAKE_ALERT_TOPIC_ARN       = aws_sns_topic.alarms.arn
    POWERTOOLS_SERVICE_NAME      = "dlq-sweeper"
    POWERTOOLS_METRICS_NAMESPACE = "oplake"
  }, var.dlq_sweep_rules == "" ? {} : { OPLAKE_SWEEP_RULES = var.dlq_sweep_rules })
}

resource "aws_iam_role" "dlq_sweeper_scheduler" {
  name = "${var.name}-dlq-sweeper-scheduler"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "scheduler.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "dlq_sweeper_scheduler" {
  name = "invoke-dlq-sweeper"
  role = aws_iam_role.dlq_sweeper_scheduler.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokeSweeper"
      Effect   = "Allow"
      Action   = ["lambda:InvokeFunction"]
      Resource = [module.dlq_sweeper.function_arn]
    }]
  })
}

resource "aws_scheduler_schedule" "dlq_sweeper" {
  name        = "${var.name}-dlq-sweeper"
  description = "Runs the dlq-sweeper."
  state       = var.dlq_sweeper_schedule_enabled ? "ENABLED" : "DISABLED"

  schedule_expression = var.dlq_sweeper_schedule_expression

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = module.dlq_sweeper.function_arn
    role_arn = aws_iam_role.dlq_sweeper_scheduler.arn
    input    = jsonencode({})

    retry_policy {
      maximum_event_age_in_seconds = 600
      maximum_retry_attempts       = 1
    }
  }
}
