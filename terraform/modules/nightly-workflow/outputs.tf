output "state_machine_arn" {
  description = "ARN of the state machine."
  value       = aws_sfn_state_machine.this.arn
}

output "state_machine_name" {
  description = "Name of the state machine."
  value       = aws_sfn_state_machine.this.name
}

output "schedule_name" {
  description = "Name of the EventBridge Scheduler schedule."
  value       = aws_scheduler_schedule.this.name
}

output "log_group_name" {
  description = "Execution log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "policy_documents" {
  description = "IAM policy documents of the state machine and scheduler roles (JSON), for checks."
  value       = [aws_iam_role_policy.runtime.policy, aws_iam_role_policy.state_machine.policy, aws_iam_role_policy.scheduler.policy]
}

output "settings" {
  description = "Workflow and schedule settings, for the checks in tests/."
  value = {
    definition          = aws_sfn_state_machine.this.definition
    tracing_enabled     = try(one(aws_sfn_state_machine.this.tracing_configuration).enabled, null)
    log_level           = try(one(aws_sfn_state_machine.this.logging_configuration).level, null)
    schedule_expression = aws_scheduler_schedule.this.schedule_expression
    schedule_timezone   = aws_scheduler_schedule.this.schedule_expression_timezone
    schedule_state      = aws_scheduler_schedule.this.state
    log_retention       = aws_cloudwatch_log_group.this.retention_in_days
    schedule_input      = one(aws_scheduler_schedule.this.target).input
    intraday_schedule = [for s in aws_scheduler_schedule.intraday : {
      expression = s.schedule_expression
      timezone   = s.schedule_expression_timezone
      state      = s.state
      input      = one(s.target).input
      target     = one(s.target).arn
    }]
  }
}
