variable "name" {
  description = "Name of the state machine (and of its schedule, roles and log group)."
  type        = string
}

variable "definition" {
  description = "Rendered ASL definition (JSON)."
  type        = string
}

variable "policy_json" {
  description = "IAM policy (JSON) with exactly what the workflow's states call (Lambda steps, the fan-out queue). Logs delivery and X-Ray are added by the module."
  type        = string
}

variable "schedule_expression" {
  description = "EventBridge Scheduler expression (cron(...) or rate(...))."
  type        = string
  default     = "cron(0 1 * * ? *)"
}

variable "schedule_expression_timezone" {
  description = "IANA time zone of the schedule expression."
  type        = string
  default     = "Asia/Tokyo"
}

variable "schedule_enabled" {
  description = "Whether the schedule starts the workflow."
  type        = bool
  default     = true
}

variable "intraday_schedule_expression" {
  description = "EventBridge Scheduler expression starting the workflow in intraday mode ({\"mode\":\"intraday\"}); null: no intraday schedule."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention of the workflow's log group."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
