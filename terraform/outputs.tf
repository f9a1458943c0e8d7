output "ingest_url" {
  description = "Function URL of ingest: agents POST to <ingest_url>v1/events."
  value       = module.ingest.function_url
}

output "search_url" {
  description = "Function URL of search: <search_url>v1/search, v1/aggregate."
  value       = module.search.function_url
}

output "lake_bucket" {
  description = "The lake bucket (raw/, parquet/, archive/raw/, rejects/, ...)."
  value       = module.lake_bucket.bucket
}

output "athena_results_bucket" {
  description = "Athena query results bucket."
  value       = module.athena_results_bucket.bucket
}

output "keys_parameter" {
  description = "SSM SecureString holding the token signing key set."
  value       = aws_ssm_parameter.token_keys.name
}

output "first_token_commands" {
  description = "How to create the signing key set and mint the first tokens (docs/deploy.md, \"First tokens\")."
  value = join("\n", [
    "# 1. once: create the key set in SSM (never in Terraform state)",
    "AWS_REGION=${local.region} node terraform/scripts/token-keys.mjs init --parameter ${aws_ssm_parameter.token_keys.name}",
    "# 2. copy it to a private directory and sign tokens with the CLI",
    "AWS_REGION=${local.region} node terraform/scripts/token-keys.mjs pull --parameter ${aws_ssm_parameter.token_keys.name} --dir .oplake/deploy-keys",
    "npx oplake token --data-dir .oplake/deploy-keys --tenant TENANT --scope ingest --device DEVICE",
    "npx oplake token --data-dir .oplake/deploy-keys --tenant TENANT --scope search",
  ])
}

output "batch_queue_url" {
  description = "The batch queue (ingest -> split)."
  value       = module.batch_queue.queue_url
}

output "dead_letter_queue_urls" {
  description = "Dead-letter queues by source queue."
  value       = { batches = module.batch_queue.dlq_url, fanout = module.fanout_queue.dlq_url }
}

output "firehose_streams" {
  description = "Delivery streams in shard order (shardOf(tenant, n))."
  value       = module.firehose.stream_names
}

output "glue_database" {
  description = "Glue database holding raw_events and events."
  value       = module.glue.database_name
}

output "athena_workgroups" {
  description = "Athena workgroups: the conversion one and the search pool."
  value       = { conversion = module.conversion_workgroup.name, search = [for wg in module.search_workgroup : wg.name] }
}

output "state_machine_arn" {
  description = "The nightly workflow; start it by hand with `aws stepfunctions start-execution --state-machine-arn ...`."
  value       = module.nightly_workflow.state_machine_arn
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "function_names" {
  description = "Lambda function names by role."
  value       = local.functions
}

output "iam_policy_documents" {
  description = "Every IAM policy document of the deployment (JSON) by role, for the checks in tests/."
  value = {
    ingest           = module.ingest.policy_documents
    split            = module.split.policy_documents
    ctas-runner      = module.ctas_runner.policy_documents
    nightly          = module.nightly.policy_documents
    search           = module.search.policy_documents
    dlq-sweeper      = module.dlq_sweeper.policy_documents
    firehose         = module.firehose.policy_documents
    nightly-workflow = module.nightly_workflow.policy_documents
  }
}

output "function_environment" {
  description = "Environment variables of each function as deployed (names and ARNs only, no secrets): for operators and the emulator test."
  value = {
    ingest      = module.ingest.settings.environment
    split       = module.split.settings.environment
    ctas-runner = module.ctas_runner.settings.environment
    nightly     = module.nightly.settings.environment
    search      = module.search.settings.environment
    dlq-sweeper = module.dlq_sweeper.settings.environment
  }
}

output "dashboard_name" {
  description = "The pipeline's CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.pipeline.dashboard_name
}

output "dlq_sources" {
  description = "Every dead-letter queue the dlq-sweeper empties, with the queue it redrives to."
  value       = { for name, s in local.dlq_sources : name => { dlq_url = s.dlq_url, queue_url = s.queue_url } }
}

output "console_url" {
  description = "The admin console (sign in with a search token). null when console_enabled is false."
  value       = var.console_enabled ? module.console[0].url : null
}
