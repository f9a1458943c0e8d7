data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  dist_dir      = coalesce(var.dist_dir, "${path.root}/../dist")
  asl_path      = coalesce(var.nightly_asl_path, "${path.root}/../functions/nightly/nightly.asl.json")
  keys_param    = coalesce(var.keys_parameter_name, "/${var.name}/token-keys")
  glue_database = replace(var.name, "-", "_")

  # Bucket names are global: account and region make them unique without a random provider.
  lake_bucket_name    = "${var.name}-lake-${local.account_id}-${local.region}"
  results_bucket_name = "${var.name}-athena-results-${local.account_id}-${local.region}"

  athena_output = "s3://${local.results_bucket_name}/"

  timeouts = {
    ingest      = 30
    split       = 120
    ctas_runner = var.ctas_runner_timeout
    nightly     = 300
    search      = var.search_timeout
    dlq_sweeper = 300
  }

  search_workgroup_names = [for i in range(var.search_workgroups) : format("%s-search-%02d", var.name, i)]

  # docs/architecture.md, "Firehose streams": enough streams that no stream's tenants hold more
  # active partitions than its quota, with 20 % headroom for the hash's imbalance.
  firehose_shards_needed = var.expected_active_tenants == null ? 1 : ceil(var.expected_active_tenants * var.firehose_partitions_per_tenant / (var.firehose_active_partition_quota * 0.8))
  firehose_shards        = coalesce(var.firehose_shards, var.expected_active_tenants == null ? 2 : local.firehose_shards_needed)

  # docs/nightly.md, "Athena's DML quota": the nightly run leaves search its share. ESM maximum
  # concurrency is at least 2.
  nightly_athena_concurrency = coalesce(var.ctas_runner_max_concurrency, max(2, floor(var.athena_active_dml_quota * (1 - var.search_dml_share))))
}

module "kms" {
  source = "./modules/kms"

  alias       = var.name
  description = "oplake ${var.name}: lake, Athena results, tables, token keys, alarms"
  # CloudWatch alarms (every alarm of the deployment is named <name>-...) publish to the
  # encrypted alarm topic.
  service_principals = {
    "cloudwatch.amazonaws.com" = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-*"
  }
}

module "lake_bucket" {
  source = "./modules/s3-bucket"

  bucket_name   = local.lake_bucket_name
  kms_key_arn   = module.kms.key_arn
  force_destroy = var.force_destroy_buckets

  # shared/domain/layout.ts: one prefix per area, each with its own window.
  lifecycle_rules = [
    { id = "raw", prefix = "raw/", expiration_days = var.raw_retention_days },
    { id = "archive-raw", prefix = "archive/raw/", expiration_days = var.archive_raw_retention_days },
    { id = "parquet", prefix = "parquet/", expiration_days = var.parquet_retention_days },
    { id = "parquet-v2", prefix = "parquet-v2/", expiration_days = var.parquet_retention_days },
    # A month file is written after its month closed: by then its last day is at least the grace
    # old; the nightly job deletes it by its last day (retention.ts), this rule is the backstop.
    { id = "parquet-v2-month", prefix = "parquet-v2-month/", expiration_days = var.parquet_retention_days + 45 },
    { id = "rejects", prefix = "rejects/", expiration_days = var.rejects_retention_days },
    { id = "firehose-errors", prefix = "errors/firehose/", expiration_days = var.firehose_errors_retention_days },
    { id = "spool", prefix = "spool/", expiration_days = local.spool_expiration_days },
    { id = "staging", prefix = "staging/", expiration_days = var.staging_retention_days },
    { id = "failures", prefix = "failures/", expiration_days = var.failures_retention_days },
    { id = "archive-dlq", prefix = "archive/dlq/", expiration_days = var.dlq_archive_retention_days },
    { id = "alert-state", prefix = "state/alerts/", expiration_days = 30 },
    # A lease lives minutes (shared/adapters/aws/s3-day-leases.ts); this removes what a crash left.
    { id = "leases", prefix = "state/leases/", expiration_days = 1 },
    { id = "nightly-runs", prefix = "nightly/", expiration_days = var.nightly_run_files_retention_days },
    { id = "usage", prefix = "usage/", expiration_days = var.usage_retention_days },
  ]
}

module "athena_results_bucket" {
  source = "./modules/s3-bucket"

  bucket_name   = local.results_bucket_name
  kms_key_arn   = module.kms.key_arn
  force_destroy = true

  lifecycle_rules = [
    { id = "results-expiry", prefix = "", expiration_days = var.athena_results_retention_days },
  ]
}

module "idempotency_table" {
  source = "./modules/dynamodb-table"

  # @aws-lambda-powertools/idempotency's DynamoDBPersistenceLayer defaults: key `id`, TTL `expiration`.
  name                = "${var.name}-idempotency"
  hash_key            = "id"
  ttl_attribute       = "expiration"
  kms_key_arn         = module.kms.key_arn
  deletion_protection = var.deletion_protection
}

module "query_table" {
  source = "./modules/dynamodb-table"

  # search's query registry (shared/adapters/aws/dynamodb-query-registry.ts): pk = query#<id> (which
  # tenant owns a 202 query) and pk = slots#<tenant> (concurrency leases); TTL `ttl` (epoch seconds).
  name                = "${var.name}-queries"
  hash_key            = "pk"
  ttl_attribute       = "ttl"
  kms_key_arn         = module.kms.key_arn
  deletion_protection = var.deletion_protection
}

resource "aws_ssm_parameter" "token_keys" {
  name        = local.keys_param
  description = "oplake ${var.name}: token signing key set {\"activeKid\",\"keys\"}. Set out of band (docs/deploy.md); Terraform never overwrites it."
  type        = "SecureString"
  key_id      = module.kms.key_arn
  # Placeholder until the first `oplake keys` run writes the real key set.
  value = jsonencode({ activeKid = "unset", keys = {} })

  lifecycle {
    ignore_changes = [value]
  }
}

module "batch_queue" {
  source = "./modules/queue"

  # ingest -> split: one batch per message (claim check to spool/ above 1 MiB), so 1 MiB messages.
  name                     = "${var.name}-batches"
  consumer_timeout_seconds = local.timeouts.split
  max_message_size         = 1048576
  kms_key_arn              = module.kms.key_arn
  sdk_attribute_setter     = var.sqs_attributes_via_sdk
}

module "fanout_queue" {
  source = "./modules/queue"

  # nightly workflow -> ctas-runner: one small task-token message per tenant.
  name                      = "${var.name}-nightly-fanout"
  consumer_timeout_seconds  = local.timeouts.ctas_runner
  max_message_size          = 262144
  message_retention_seconds = 86400
  kms_key_arn               = module.kms.key_arn
}
