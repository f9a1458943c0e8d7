variable "function_name" {
  description = "Name of the function (also of its role and log group /aws/lambda/NAME)."
  type        = string
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = ""
}

variable "zip_path" {
  description = "Path of the deployment zip built by build.mjs (dist/<name>.zip). Its SHA-256 becomes source_code_hash, so a code change redeploys."
  type        = string
}

variable "handler" {
  description = "Handler entry point inside the zip."
  type        = string
  default     = "index.handler"
}

variable "runtime" {
  description = "Lambda runtime."
  type        = string
  default     = "nodejs22.x"
}

variable "architecture" {
  description = "Instruction set: arm64 or x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory in MB."
  type        = number
  default     = 512
}

variable "timeout" {
  description = "Timeout in seconds. Queues feeding this function set their visibility timeout to at least 6x this."
  type        = number
  default     = 30
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; -1 for none. The only way to throttle a function URL (429)."
  type        = number
  default     = -1
}

variable "environment" {
  description = "Environment variables."
  type        = map(string)
  default     = {}
}

variable "policy_json" {
  description = "IAM policy document (JSON) with exactly what the function's code calls. Logs, X-Ray and the event source queue are added by the module."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the function's log group, in days."
  type        = number
  default     = 30
}

variable "application_log_level" {
  description = "Lambda advanced logging: minimum application log level (JSON format)."
  type        = string
  default     = "INFO"
}

variable "dead_letter_target_arn" {
  description = "SQS queue or SNS topic for failed asynchronous invocations; null for functions only invoked synchronously or by an event source mapping."
  type        = string
  default     = null
}

variable "function_url" {
  description = "Create a function URL (with the two invoke permissions)."
  type        = bool
  default     = false
}

variable "function_url_auth_type" {
  description = "Function URL authorization: NONE (the code checks a JWT) or AWS_IAM."
  type        = string
  default     = "NONE"

  validation {
    condition     = contains(["NONE", "AWS_IAM"], var.function_url_auth_type)
    error_message = "function_url_auth_type must be NONE or AWS_IAM."
  }
}

variable "sqs_event_source" {
  description = "SQS event source mapping (ReportBatchItemFailures always on). maximum_concurrency (2-1000) bounds how many copies the queue can run."
  type = object({
    queue_arn                          = string
    batch_size                         = optional(number, 10)
    maximum_batching_window_in_seconds = optional(number, 0)
    maximum_concurrency                = number
  })
  default = null

  validation {
    condition     = var.sqs_event_source == null ? true : (var.sqs_event_source.maximum_concurrency >= 2 && var.sqs_event_source.maximum_concurrency <= 1000)
    error_message = "sqs_event_source.maximum_concurrency must be between 2 and 1000."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}

variable "function_url_cors" {
  description = "CORS of the function URL (browser callers): exact origins, never \"*\". null: no CORS (same-origin and non-browser callers only)."
  type = object({
    allow_origins  = list(string)
    allow_methods  = list(string)
    allow_headers  = list(string)
    expose_headers = optional(list(string), [])
    max_age        = optional(number, 3600)
  })
  default = null

  validation {
    condition     = var.function_url_cors == null || !contains(try(var.function_url_cors.allow_origins, []), "*")
    error_message = "function_url_cors.allow_origins must name origins, not \"*\"."
  }
}
