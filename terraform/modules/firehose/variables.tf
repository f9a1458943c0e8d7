variable "name_prefix" {
  description = "Streams are named PREFIX-00 .. PREFIX-(shards-1)."
  type        = string
}

variable "shards" {
  description = "Number of delivery streams. Tenants are spread over them by shardOf(tenant, n) (FNV-1a) so each stays under its active-partition quota (500 by default, 5,000 at most): docs/architecture.md has the math."
  type        = number
  default     = 1

  validation {
    # split's environment lists every stream name (a Lambda environment holds 4 KB in all): 100
    # names of ~15 bytes fit; past 20,000 tenants at the default quota, raise the quota instead.
    condition     = var.shards >= 1 && var.shards <= 100 && floor(var.shards) == var.shards
    error_message = "shards must be an integer between 1 and 100 (raise the active-partition quota instead of adding streams)."
  }
}

variable "bucket_arn" {
  description = "ARN of the lake bucket."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer managed KMS key: the stream's server-side encryption (CUSTOMER_MANAGED_CMK) and the S3 objects it writes."
  type        = string
}

variable "buffering_size_mb" {
  description = "Buffer size per partition before delivery, 64-128 MB (large objects for Athena)."
  type        = number
  default     = 128

  validation {
    condition     = var.buffering_size_mb >= 64 && var.buffering_size_mb <= 128
    error_message = "buffering_size_mb must be between 64 and 128."
  }
}

variable "buffering_interval_seconds" {
  description = "Buffer age before delivery, 300-900 s (dynamic partitioning allows no zero buffering)."
  type        = number
  default     = 900

  validation {
    condition     = var.buffering_interval_seconds >= 300 && var.buffering_interval_seconds <= 900
    error_message = "buffering_interval_seconds must be between 300 and 900."
  }
}

variable "log_retention_days" {
  description = "Retention of the delivery error log group."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
