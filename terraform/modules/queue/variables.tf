variable "name" {
  description = "Queue name; the dead-letter queue is NAME-dlq."
  type        = string
}

variable "consumer_timeout_seconds" {
  description = "Timeout of the Lambda function consuming the queue; the visibility timeout is at least 6x this."
  type        = number
}

variable "visibility_timeout_seconds" {
  description = "Minimum visibility timeout; the effective value is max(this, 6 x consumer_timeout_seconds)."
  type        = number
  default     = 30
}

variable "max_message_size" {
  description = "Maximum message size in bytes. SQS allows 1 MiB (1048576) but still defaults to 256 KiB: queues that carry batches set 1048576."
  type        = number
  default     = 1048576

  validation {
    condition     = var.max_message_size >= 1024 && var.max_message_size <= 1048576
    error_message = "max_message_size must be between 1024 and 1048576."
  }
}

variable "message_retention_seconds" {
  description = "How long an undelivered message is kept (max 14 days)."
  type        = number
  default     = 345600
}

variable "dlq_message_retention_seconds" {
  description = "How long a dead-lettered message is kept (max 14 days)."
  type        = number
  default     = 1209600
}

variable "max_receive_count" {
  description = "Receives before a message moves to the DLQ (>= 5 so throttling of the consumer does not dead-letter messages)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 5
    error_message = "max_receive_count must be at least 5."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for SSE-KMS of the queue and its DLQ (producers need kms:GenerateDataKey and kms:Decrypt, consumers kms:Decrypt); null uses SQS-managed SSE (SSE-SQS)."
  type        = string
  default     = null
}

variable "kms_data_key_reuse_period_seconds" {
  description = "With kms_key_arn: seconds SQS reuses a data key before calling KMS again (60-86400; AWS's default 300). Longer means fewer KMS requests, a key disabled later takes effect later."
  type        = number
  default     = 300

  validation {
    condition     = var.kms_data_key_reuse_period_seconds >= 60 && var.kms_data_key_reuse_period_seconds <= 86400
    error_message = "kms_data_key_reuse_period_seconds must be between 60 and 86400."
  }
}

variable "tags" {
  description = "Tags for both queues."
  type        = map(string)
  default     = {}
}

variable "sdk_attribute_setter" {
  description = "Raise MaximumMessageSize above 256 KiB with scripts/sqs-set-attributes.cjs (Node + the repository's node_modules, the deployer's credentials). false only for terraform test with a mock provider."
  type        = bool
  default     = true
}
