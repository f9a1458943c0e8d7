data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

resource "aws_cloudwatch_log_group" "this" {
  # Step Functions log groups under /aws/vendedlogs/ avoid the resource policy size limit.
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_sfn_state_machine" "this" {
  name       = var.name
  role_arn   = aws_iam_role.state_machine.arn
  definition = var.definition
  type       = "STANDARD"

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
    include_execution_data = false
    level                  = "ERROR"
  }

  tracing_configuration {
    enabled = true
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.state_machine]
}

resource "aws_scheduler_schedule" "this" {
  name        = var.name
  description = "Starts the ${var.name} workflow."
  state       = var.schedule_enabled ? "ENABLED" : "DISABLED"

  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = var.schedule_expression_timezone

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_sfn_state_machine.this.arn
    role_arn = aws_iam_role.scheduler.arn
    # docs/nightly.md: the scheduler starts the workflow with {} (today, default concurrency).
    input = jsonencode({})

    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 3
    }
  }
}

# docs/nightly.md "Intraday runs": the same workflow in intraday mode (the hot days of large
# tenants converted during the day; no retention, no compaction).
resource "aws_scheduler_schedule" "intraday" {
  count = var.intraday_schedule_expression == null ? 0 : 1

  name        = "${var.name}-intraday"
  description = "Starts the ${var.name} workflow in intraday mode."
  state       = var.schedule_enabled ? "ENABLED" : "DISABLED"

  schedule_expression          = var.intraday_schedule_expression
  schedule_expression_timezone = var.schedule_expression_timezone

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_sfn_state_machine.this.arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ mode = "intraday" })

    retry_policy {
      # A missed intraday run is replaced by the next one: no retries an hour late.
      maximum_event_age_in_seconds = 900
      maximum_retry_attempts       = 3
    }
  }
}
