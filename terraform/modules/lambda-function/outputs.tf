output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "timeout" {
  description = "Timeout of the function in seconds."
  value       = aws_lambda_function.this.timeout
}

output "role_arn" {
  description = "ARN of the execution role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the execution role."
  value       = aws_iam_role.this.name
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "function_url" {
  description = "Function URL, or null."
  value       = var.function_url ? aws_lambda_function_url.this[0].function_url : null
}

output "policy_documents" {
  description = "Every IAM policy document attached to the role (JSON), for checks."
  value       = [aws_iam_role_policy.logs.policy, aws_iam_role_policy.this.policy]
}

output "event_source_mapping_uuid" {
  description = "UUID of the SQS event source mapping, or null."
  value       = var.sqs_event_source == null ? null : aws_lambda_event_source_mapping.sqs[0].uuid
}

output "settings" {
  description = "The settings the checks in tests/ hold every function to."
  value = {
    runtime                 = aws_lambda_function.this.runtime
    tracing_mode            = try(one(aws_lambda_function.this.tracing_config).mode, null)
    source_code_hash        = aws_lambda_function.this.source_code_hash
    log_group               = try(one(aws_lambda_function.this.logging_config).log_group, null)
    log_group_retention     = aws_cloudwatch_log_group.this.retention_in_days
    reserved_concurrency    = aws_lambda_function.this.reserved_concurrent_executions
    environment             = var.environment
    maximum_concurrency     = var.sqs_event_source == null ? null : try(one(aws_lambda_event_source_mapping.sqs[0].scaling_config).maximum_concurrency, null)
    function_response_types = var.sqs_event_source == null ? [] : tolist(aws_lambda_event_source_mapping.sqs[0].function_response_types)
    url_auth_type           = var.function_url ? aws_lambda_function_url.this[0].authorization_type : null
    url_cors                = var.function_url ? one(aws_lambda_function_url.this[0].cors) : null
    url_permission_actions  = sort(concat([for p in aws_lambda_permission.url : p.action], [for p in aws_lambda_permission.url_invoke : p.action]))
  }
}
