variable "name" {
  description = "Workgroup name."
  type        = string
}

variable "description" {
  description = "Workgroup description."
  type        = string
  default     = ""
}

variable "output_location" {
  description = "s3:// location of query results (the Athena results bucket, with its own expiry)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for SSE_KMS query results."
  type        = string
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Per-query scan cutoff in bytes (minimum 10 MB); a query over it is cancelled (and billed for what it scanned)."
  type        = number

  validation {
    condition     = var.bytes_scanned_cutoff_per_query >= 10000000
    error_message = "bytes_scanned_cutoff_per_query must be at least 10 MB (10000000)."
  }
}

variable "data_usage_alarms" {
  description = "Data usage alarms by name: bytes scanned (Sum of ProcessedBytes) over a period."
  type = map(object({
    threshold_bytes = number
    period_seconds  = number
  }))
  default = {}
}

variable "alarm_topic_arns" {
  description = "SNS topics notified by the data usage alarms."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for the workgroup and its alarms."
  type        = map(string)
  default     = {}
}
