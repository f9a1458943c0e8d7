data "aws_caller_identity" "current" {}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  function_name    = var.function_name
  description      = var.description
  role             = aws_iam_role.this.arn
  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  handler          = var.handler
  runtime          = var.runtime
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout

  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = var.environment
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = var.application_log_level
    system_log_level      = "WARN"
  }

  dynamic "dead_letter_config" {
    for_each = var.dead_letter_target_arn == null ? [] : [var.dead_letter_target_arn]
    content {
      target_arn = dead_letter_config.value
    }
  }

  tags = length(var.tags) > 0 ? var.tags : null

  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.logs,
  ]
}

resource "aws_lambda_function_url" "this" {
  count = var.function_url ? 1 : 0

  function_name      = aws_lambda_function.this.function_name
  authorization_type = var.function_url_auth_type
  invoke_mode        = "BUFFERED"

  # The function URL answers preflights and adds the CORS headers itself, for these origins only.
  dynamic "cors" {
    for_each = var.function_url_cors == null ? [] : [var.function_url_cors]
    content {
      allow_origins  = cors.value.allow_origins
      allow_methods  = cors.value.allow_methods
      allow_headers  = cors.value.allow_headers
      expose_headers = cors.value.expose_headers
      max_age        = cors.value.max_age
    }
  }
}

# Since October 2025 a new function URL needs both statements. Provider 5.100 cannot add the
# lambda:InvokedViaFunctionUrl condition to the second one (added in provider 6.29.0 as
# invoked_via_function_url): docs/deploy.md, "Function URL permissions".
# aws_lambda_function_url itself adds an untracked "FunctionURLAllowPublicAccess" statement for
# auth type NONE, so these use statement ids of their own (the same id would conflict).
resource "aws_lambda_permission" "url" {
  count = var.function_url ? 1 : 0

  depends_on = [aws_lambda_function_url.this]

  statement_id           = "OplakeFunctionUrlInvokeFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.this.function_name
  principal              = var.function_url_auth_type == "NONE" ? "*" : data.aws_caller_identity.current.account_id
  function_url_auth_type = var.function_url_auth_type
}

resource "aws_lambda_permission" "url_invoke" {
  count = var.function_url ? 1 : 0

  statement_id  = "OplakeFunctionUrlInvokeFunction"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = var.function_url_auth_type == "NONE" ? "*" : data.aws_caller_identity.current.account_id

  # One policy per function: concurrent AddPermission calls race (ResourceConflictException).
  depends_on = [aws_lambda_permission.url]
}

resource "aws_lambda_event_source_mapping" "sqs" {
  count = var.sqs_event_source == null ? 0 : 1

  function_name                      = aws_lambda_function.this.arn
  event_source_arn                   = var.sqs_event_source.queue_arn
  batch_size                         = var.sqs_event_source.batch_size
  maximum_batching_window_in_seconds = var.sqs_event_source.maximum_batching_window_in_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.sqs_event_source.maximum_concurrency
  }

  depends_on = [aws_iam_role_policy.this]
}
