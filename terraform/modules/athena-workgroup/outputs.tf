output "name" {
  description = "Workgroup name."
  value       = aws_athena_workgroup.this.name
}

output "arn" {
  description = "Workgroup ARN."
  value       = aws_athena_workgroup.this.arn
}

output "alarm_names" {
  description = "Data usage alarm names."
  value       = [for a in aws_cloudwatch_metric_alarm.data_usage : a.alarm_name]
}

output "settings" {
  description = "The settings the checks in tests/ hold every workgroup to."
  value = {
    enforce_workgroup_configuration    = try(one(aws_athena_workgroup.this.configuration).enforce_workgroup_configuration, null)
    publish_cloudwatch_metrics_enabled = try(one(aws_athena_workgroup.this.configuration).publish_cloudwatch_metrics_enabled, null)
    bytes_scanned_cutoff_per_query     = try(one(aws_athena_workgroup.this.configuration).bytes_scanned_cutoff_per_query, null)
    encryption_option                  = try(one(one(one(aws_athena_workgroup.this.configuration).result_configuration).encryption_configuration).encryption_option, null)
    output_location                    = try(one(one(aws_athena_workgroup.this.configuration).result_configuration).output_location, null)
    alarm_count                        = length(aws_cloudwatch_metric_alarm.data_usage)
    alarm_metrics                      = distinct([for a in aws_cloudwatch_metric_alarm.data_usage : a.metric_name])
    alarm_actions                      = distinct(flatten([for a in aws_cloudwatch_metric_alarm.data_usage : a.alarm_actions]))
    tags                               = aws_athena_workgroup.this.tags
  }
}
