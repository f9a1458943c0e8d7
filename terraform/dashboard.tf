# The pipeline's health on one CloudWatch dashboard: ingest rate and errors, queue age, Firehose
# freshness, nightly outcome, dead letters, search latency and scanned bytes (docs/runbook.md).

locals {
  dashboard_region = local.region

  dashboard_widgets = [
    {
      title   = "Ingest: events accepted and rejected (per 5 min)"
      metrics = [["oplake", "acceptedEvents", "service", "ingest"], ["oplake", "rejectedEvents", "service", "ingest"], ["oplake", "rateLimitedRequests", "service", "ingest"]]
      stat    = "Sum"
    },
    {
      title   = "Lambda errors per function"
      metrics = [for name, fn in local.functions : ["AWS/Lambda", "Errors", "FunctionName", fn, { label = name }]]
      stat    = "Sum"
    },
    {
      title = "Queue age: oldest message (s), batch and fan-out queues and their DLQs"
      metrics = concat(
        [for q in [module.batch_queue.queue_name, module.fanout_queue.queue_name] : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", q]],
        [for name, s in local.dlq_sources : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", s.dlq_name, { label = "${name} DLQ" }]],
      )
      stat = "Maximum"
    },
    {
      title   = "Firehose freshness (s) per stream"
      metrics = [for s in module.firehose.stream_names : ["AWS/Firehose", "DeliveryToS3.DataFreshness", "DeliveryStreamName", s]]
      stat    = "Maximum"
    },
    {
      title   = "Nightly outcome: tenant-days converted, tenants failed"
      metrics = [["oplake", "NightlyTenantDaysConverted", "service", "nightly"], ["oplake", "NightlyTenantFailures", "service", "nightly"], ["AWS/States", "ExecutionsFailed", "StateMachineArn", module.nightly_workflow.state_machine_arn]]
      stat    = "Sum"
    },
    {
      title   = "Dead letters: archived per source, alerts sent (dlq-sweeper)"
      metrics = concat([for name in concat(keys(local.dlq_sources), ["firehose"]) : ["oplake", "DeadLettersArchived", "source", name, "service", "dlq-sweeper"]], [["oplake", "SweepAlertsSent", "service", "dlq-sweeper"]])
      stat    = "Sum"
    },
    {
      title   = "Search latency (ms, p95)"
      metrics = [["AWS/Lambda", "Duration", "FunctionName", module.search.function_name]]
      stat    = "p95"
    },
    {
      title   = "Search: bytes scanned per workgroup"
      metrics = [for wg in module.search_workgroup : ["AWS/Athena", "ProcessedBytes", "WorkGroup", wg.name]]
      stat    = "Sum"
    },
  ]
}

resource "aws_cloudwatch_dashboard" "pipeline" {
  dashboard_name = "${var.name}-pipeline"
  dashboard_body = jsonencode({
    widgets = [
      for i, w in local.dashboard_widgets : {
        type   = "metric"
        x      = (i % 2) * 12
        y      = floor(i / 2) * 6
        width  = 12
        height = 6
        properties = {
          title   = w.title
          region  = local.dashboard_region
          metrics = w.metrics
          stat    = w.stat
          period  = 300
          view    = "timeSeries"
        }
      }
    ]
  })
}
