# Inputs of the operations side: the dead-letter sweeper, alarms and dashboard, and the admin
# console's static site. The pipeline's own inputs are in variables.tf.

# --- dlq-sweeper and monitoring (terraform/dlq-sweeper.tf, alarms.tf, dashboard.tf) ---

variable "dlq_sweeper_schedule_expression" {
  description = "How often the dlq-sweeper runs (EventBridge Scheduler). Keep it above the sweeper's 5-minute receive visibility timeout."
  type        = string
  default     = "rate(15 minutes)"
}

variable "dlq_sweeper_schedule_enabled" {
  description = "Whether the dlq-sweeper schedule is enabled."
  type        = bool
  default     = true
}

variable "dlq_sweep_rules" {
  description = "The sweeper's rules and thresholds as JSON (shared/dlq/settings.ts: maxRedrives, backoffMinutes, permanentThreshold, maxMessageAgeHours, firehoseErrorThreshold, dedupHours, transientErrors, permanentErrors); empty for the defaults."
  type        = string
  default     = ""

  validation {
    condition     = var.dlq_sweep_rules == "" || can(jsondecode(var.dlq_sweep_rules))
    error_message = "dlq_sweep_rules must be empty or a JSON object."
  }
}

variable "failures_retention_days" {
  description = "Days a failure record (failures/, written by a failing function for the sweeper) is kept."
  type        = number
  default     = 14
}

variable "dlq_archive_retention_days" {
  description = "Days archived dead letters (archive/dlq/) are kept for investigation."
  type        = number
  default     = 400
}

variable "dlq_depth_alarm_threshold" {
  description = "Messages in a DLQ above which its depth alarm fires (the sweeper empties DLQs every run; a backlog means it cannot)."
  type        = number
  default     = 100
}

variable "dlq_age_alarm_seconds" {
  description = "Age of a DLQ's oldest message above which its alarm fires (the sweeper redrives or archives within about 2 h)."
  type        = number
  default     = 21600
}

variable "firehose_freshness_alarm_seconds" {
  description = "Firehose DeliveryToS3.DataFreshness above which its alarm fires (default: twice the largest buffer interval)."
  type        = number
  default     = 1800
}

# --- admin console ---

variable "console_enabled" {
  description = "Deploy the admin console as a static site (S3 + CloudFront) and allow its origin in the search function URL's CORS."
  type        = bool
  default     = true
}

variable "console_dir" {
  description = "Folder of the built console (`node build.mjs` writes dist/console). null means <dist_dir>/console."
  type        = string
  default     = null
}

variable "console_extra_origins" {
  description = "More origins allowed to call the search function URL from a browser (e.g. the console under your own domain). Exact origins, no \"*\"."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.console_extra_origins : can(regex("^https://[a-z0-9.-]+(:[0-9]+)?$", o))])
    error_message = "console_extra_origins must be https:// origins (scheme, host, optional port; no path, no \"*\")."
  }
}

variable "console_price_class" {
  description = "CloudFront price class of the console (PriceClass_100, PriceClass_200, PriceClass_All)."
  type        = string
  default     = "PriceClass_200"
}

variable "legacy_events_table" {
  description = "Search reads the previous layout's table (events, parquet/, text ts) beside events_v2 (the conversion reads it only for days that hold such files). Set false once the nightly metric NightlyLegacyDays is 0 (docs/deploy.md \"Upgrading the layout\")."
  type        = bool
  default     = true
}
