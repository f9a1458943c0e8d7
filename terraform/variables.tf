variable "name" {
  description = "Deployment name: prefix of every resource name (lower case, digits, dashes). Two deployments in one account need two names."
  type        = string
  default     = "oplake"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 2-21 characters of lower-case letters, digits and dashes, starting with a letter."
  }
}

variable "aws_region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "ap-northeast-1"
}

variable "tags" {
  description = "Extra tags for every resource (merged into the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "dist_dir" {
  description = "Directory holding the function zips built by `node build.mjs` (<name>.zip). null means ../dist beside this module."
  type        = string
  default     = null
}

variable "nightly_asl_path" {
  description = "Path of the nightly workflow's ASL template. null means ../functions/nightly/nightly.asl.json."
  type        = string
  default     = null
}

variable "lambda_architecture" {
  description = "Instruction set of every function (arm64 is cheaper; the bundles are pure JavaScript)."
  type        = string
  default     = "arm64"
}

variable "log_retention_days" {
  description = "Retention of every log group (functions, Firehose, Step Functions), in days."
  type        = number
  default     = 30
}

variable "force_destroy_buckets" {
  description = "Let `terraform destroy` delete non-empty buckets. Keep false in production: the lake holds the only copy of the data."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "DynamoDB deletion protection on the tables (set true in production)."
  type        = bool
  default     = false
}

# --- retention (days) ---

variable "ingest_reserved_concurrency" {
  description = "Reserved concurrency of ingest: the only throttle of a function URL (429); -1 for none."
  type        = number
  default     = 100
}

variable "ingest_rate_limits" {
  description = "OPLAKE_INGEST_RATE_LIMITS: per-tenant ingest limits as JSON (defaults and per-tenant overrides); empty for the built-in defaults."
  type        = string
  default     = ""
}

variable "ingest_expected_concurrency" {
  description = "OPLAKE_INGEST_EXPECTED_CONCURRENCY: warm ingest instances expected to share one tenant's traffic; each enforces the tenant's rate divided by this (the local, per-instance limiter: no DynamoDB write per request). 1 admits up to N x the limit across N instances."
  type        = number
  default     = 1

  validation {
    condition     = var.ingest_expected_concurrency >= 1 && var.ingest_expected_concurrency <= 10000
    error_message = "ingest_expected_concurrency must be between 1 and 10000."
  }
}

variable "split_max_concurrency" {
  description = "Maximum concurrency of split's event source mapping (2-1000): bounds the Firehose PutRecordBatch rate."
  type        = number
  default     = 20
}

variable "expected_active_tenants" {
  description = "Tenants sending data on a working day. With it, firehose_shards defaults to the stream count of docs/architecture.md: ceil(tenants x firehose_partitions_per_tenant / (firehose_active_partition_quota x 0.8))."
  type        = number
  default     = null

  validation {
    condition     = var.expected_active_tenants == null || try(var.expected_active_tenants >= 1, false)
    error_message = "expected_active_tenants must be null or at least 1."
  }
}

variable "firehose_active_partition_quota" {
  description = "Active partitions a Firehose stream allows (Service Quotas: 500 by default, at most 5,000 on request)."
  type        = number
  default     = 500

  validation {
    condition     = var.firehose_active_partition_quota >= 500 && var.firehose_active_partition_quota <= 5000
    error_message = "firehose_active_partition_quota must be between 500 (default quota) and 5000 (the most AWS grants)."
  }
}

variable "firehose_partitions_per_tenant" {
  description = "Active partitions (tenant x dt) one tenant holds open in one buffer window at the worst moment: 2 across midnight UTC (yesterday's and today's buffers), plus late arrivals."
  type        = number
  default     = 2
}

variable "firehose_shards" {
  description = "Number of Firehose delivery streams tenants are spread over. null: derived from expected_active_tenants (docs/architecture.md), or 2 without it. A value below the derived count is refused."
  type        = number
  default     = null

  validation {
    # coalesce: Terraform evaluates both sides of || (null arithmetic would fail).
    condition = var.firehose_shards == null || try(
      var.firehose_shards >= 1 && var.firehose_shards >= ceil(coalesce(var.expected_active_tenants, 0) * var.firehose_partitions_per_tenant / (var.firehose_active_partition_quota * 0.8)),
      false,
    )
    error_message = "firehose_shards is below ceil(expected_active_tenants x firehose_partitions_per_tenant / (firehose_active_partition_quota x 0.8)): records over a stream's active-partition quota go to errors/firehose/."
  }
}

variable "firehose_buffering_size_mb" {
  description = "Firehose buffer size per partition, 64-128 MB."
  type        = number
  default     = 128

  validation {
    condition     = var.firehose_buffering_size_mb >= 64 && var.firehose_buffering_size_mb <= 128
    error_message = "firehose_buffering_size_mb must be between 64 and 128."
  }
}

variable "firehose_buffering_interval_seconds" {
  description = "Firehose buffer interval, 300-900 s."
  type        = number
  default     = 900

  validation {
    condition     = var.firehose_buffering_interval_seconds >= 300 && var.firehose_buffering_interval_seconds <= 900
    error_message = "firehose_buffering_interval_seconds must be between 300 and 900."
  }
}

# --- nightly conversion ---

variable "nightly_schedule_expression" {
  description = "EventBridge Scheduler expression starting the nightly workflow."
  type        = string
  default     = "cron(0 1 * * ? *)"
}

variable "nightly_schedule_timezone" {
  description = "Time zone of nightly_schedule_expression."
  type        = string
  default     = "Asia/Tokyo"
}

variable "nightly_schedule_enabled" {
  description = "Whether the nightly schedule (and the intraday one, when set) is enabled."
  type        = bool
  default     = true
}

variable "intraday_schedule_expression" {
  description = "EventBridge Scheduler expression (in nightly_schedule_timezone) starting the workflow in intraday mode, {\"mode\":\"intraday\"}: the run's date and the day before of tenants with intraday_min_raw_bytes pending (docs/nightly.md \"Intraday runs\"). null: no intraday runs."
  type        = string
  default     = "cron(30 * * * ? *)"
  nullable    = true
}

variable "intraday_min_raw_bytes" {
  description = "An intraday run converts a tenant-day once its raw/ objects hold at least this many bytes. Athena bills 10 MB a query at least and a conversion costs about as much as scanning 38 MB, so small tenants gain nothing (docs/nightly.md \"Intraday runs\")."
  type        = number
  default     = 67108864

  validation {
    condition     = var.intraday_min_raw_bytes >= 0 && floor(var.intraday_min_raw_bytes) == var.intraday_min_raw_bytes
    error_message = "intraday_min_raw_bytes must be a whole number of bytes, 0 or more."
  }
}

variable "athena_active_dml_quota" {
  description = "The account's active DML query quota in the region (Service Quotas, Athena 'Active DML queries'; ap-northeast-1 150, many regions 20-100). Conversion and search share it."
  type        = number
  default     = 150

  validation {
    condition     = var.athena_active_dml_quota >= 4
    error_message = "athena_active_dml_quota must be at least 4."
  }
}

variable "search_dml_share" {
  description = "Share of athena_active_dml_quota kept for search while the nightly run converts (0.1-0.9). The nightly run takes at most floor(quota x (1 - share)) DML queries at once."
  type        = number
  default     = 0.5

  validation {
    condition     = var.search_dml_share >= 0.1 && var.search_dml_share <= 0.9
    error_message = "search_dml_share must be between 0.1 and 0.9."
  }
}

variable "nightly_batch_size" {
  description = "OPLAKE_NIGHTLY_BATCH_SIZE: tenants per child execution of the Distributed Map (ItemBatcher), 1-100. docs/nightly.md has the decision."
  type        = number
  default     = 25

  validation {
    condition     = var.nightly_batch_size >= 1 && var.nightly_batch_size <= 100
    error_message = "nightly_batch_size must be between 1 and 100."
  }
}

variable "nightly_max_tenants_per_run" {
  description = "OPLAKE_NIGHTLY_MAX_TENANTS: back-pressure only (e.g. after an outage, to spread a backlog over nights), tenants per execution, oldest pending day first. null: no cap."
  type        = number
  default     = null
}

variable "ctas_runner_max_concurrency" {
  description = "Athena CTAS queries the nightly run makes at once: ctas-runner's event source maximum concurrency and the Distributed Map's MaxConcurrency (OPLAKE_NIGHTLY_MAX_CONCURRENCY). null: floor(athena_active_dml_quota x (1 - search_dml_share)). Never above that."
  type        = number
  default     = null

  validation {
    condition = var.ctas_runner_max_concurrency == null || try(
      var.ctas_runner_max_concurrency >= 2 && var.ctas_runner_max_concurrency <= 1000 && var.ctas_runner_max_concurrency <= floor(var.athena_active_dml_quota * (1 - var.search_dml_share)),
      false,
    )
    error_message = "ctas_runner_max_concurrency must be 2-1000 and at most floor(athena_active_dml_quota x (1 - search_dml_share)), search's share."
  }
}

variable "ctas_runner_timeout" {
  description = "ctas-runner timeout in seconds (the fan-out queue's visibility timeout is 6x this)."
  type        = number
  default     = 900
}

variable "conversion_bytes_scanned_cutoff" {
  description = "Per-query scan cutoff of the conversion workgroup, in bytes."
  type        = number
  default     = 200000000000
}

# --- search ---

variable "search_workgroups" {
  description = "Number of Athena workgroups in the search pool; tenants map to one by hash (override with search_workgroup_overrides)."
  type        = number
  default     = 2

  validation {
    condition     = var.search_workgroups >= 1 && var.search_workgroups <= 20
    error_message = "search_workgroups must be between 1 and 20."
  }
}

variable "search_workgroup_overrides" {
  description = "Tenant id => index of the search workgroup it must use (heavy tenants get their own)."
  type        = map(number)
  default     = {}
}

variable "search_bytes_scanned_cutoff" {
  description = "Per-query scan cutoff of each search workgroup, in bytes (minimum 10 MB); over it the query is cancelled and search answers 422 scan_limit_exceeded."
  type        = number
  default     = 10000000000

  validation {
    condition     = var.search_bytes_scanned_cutoff >= 10000000
    error_message = "search_bytes_scanned_cutoff must be at least 10 MB (10000000), Athena's minimum."
  }
}

variable "search_hourly_bytes_alarm" {
  description = "Data usage alarm: bytes scanned per search workgroup per hour."
  type        = number
  default     = 100000000000
}

variable "search_daily_bytes_alarm" {
  description = "Data usage alarm: bytes scanned per search workgroup per day."
  type        = number
  default     = 1000000000000
}

variable "search_reserved_concurrency" {
  description = "Reserved concurrency of search; -1 for none."
  type        = number
  default     = 50
}

variable "search_max_concurrent_queries" {
  description = "OPLAKE_MAX_CONCURRENT_QUERIES: running queries allowed per tenant (429 too_many_queries over it)."
  type        = number
  default     = 3
}

variable "search_wait_budget_ms" {
  description = "OPLAKE_WAIT_BUDGET_MS: how long search waits for Athena before answering 202 with a queryId."
  type        = number
  default     = 8000
}

variable "search_timeout" {
  description = "search timeout in seconds (must exceed the wait budget)."
  type        = number
  default     = 30
}

# --- alarms and secrets ---

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []
}

variable "keys_parameter_name" {
  description = "SSM SecureString holding the token signing key set ({\"activeKid\",\"keys\"}); its value is set out of band (docs/deploy.md). null means /NAME/token-keys."
  type        = string
  default     = null
}

variable "sqs_attributes_via_sdk" {
  description = "Raise the batch queue's MaximumMessageSize to 1 MiB through the AWS SDK after creating it (hashicorp/aws 5.100 only accepts 256 KiB). Needs Node and `npm ci` on the deploying machine. false only in terraform test."
  type        = bool
  default     = true
}
