# Athena's data usage controls are CloudWatch alarms on ProcessedBytes: they alarm, they do not
# stop queries (the per-query cutoff in main.tf does).
resource "aws_cloudwatch_metric_alarm" "data_usage" {
  for_each = var.data_usage_alarms

  alarm_name          = "${var.name}-data-usage-${each.key}"
  alarm_description   = "Athena workgroup ${var.name} scanned more than ${each.value.threshold_bytes} bytes in ${each.value.period_seconds} s."
  namespace           = "AWS/Athena"
  metric_name         = "ProcessedBytes"
  dimensions          = { WorkGroup = aws_athena_workgroup.this.name }
  statistic           = "Sum"
  period              = each.value.period_seconds
  evaluation_periods  = 1
  threshold           = each.value.threshold_bytes
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arns
  ok_actions          = var.alarm_topic_arns
  tags                = var.tags
}
