variable "alias" {
  description = "Alias of the key, without the alias/ prefix."
  type        = string
}

variable "description" {
  description = "Description of the key."
  type        = string
  default     = "oplake data key"
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled key deletion completes (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}

variable "service_principals" {
  description = "Service principals allowed to use the key for their own deliveries, each with the ARN pattern (aws:SourceArn, ArnLike) of the resources it acts for, e.g. { \"cloudwatch.amazonaws.com\" = \"arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME-*\" } for alarms to an encrypted SNS topic. aws:SourceAccount is always this account."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}
