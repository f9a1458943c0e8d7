# How long each area of the lake (and Athena's results) is kept: the S3 lifecycle rules (main.tf) and
# the nightly job's own retention (OPLAKE_RETENTION, OPLAKE_RETENTION_AREAS).

variable "raw_retention_days" {
  description = "Days unconverted raw objects stay under raw/ (a safety net: the nightly run moves converted raw to archive/raw/)."
  type        = number
  default     = 30
}

variable "archive_raw_retention_days" {
  description = "Days converted raw objects are kept under archive/raw/ for replays (the raw window)."
  type        = number
  default     = 7
}

variable "parquet_retention_days" {
  description = "Days converted Parquet is kept (default 5 x 366 days, the code's DEFAULT_RETENTION). The nightly job enforces it by dt (and per-tenant overrides); the lifecycle rule is the backstop by object age."
  type        = number
  default     = 1830
}

variable "rejects_retention_days" {
  description = "Days invalid events (rejects/) are kept for investigation."
  type        = number
  default     = 30
}

variable "firehose_errors_retention_days" {
  description = "Days Firehose error output (errors/firehose/) is kept."
  type        = number
  default     = 14
}

variable "spool_expiry_margin_days" {
  description = "Days the spool/ lifecycle rule adds to the longest a claim check can point at its spool object (spool.tf: the batch queue's and its DLQ's retention once per stay, stays = 2 + the sweeper's maxRedrives, plus dlq_archive_retention_days). split replaces a delivered body by its receipt at once; the expiry is a backstop that cannot be set shorter than the pointers."
  type        = number
  default     = 7

  validation {
    condition     = var.spool_expiry_margin_days >= 1
    error_message = "spool_expiry_margin_days must be at least 1."
  }
}

variable "staging_retention_days" {
  description = "Days conversion attempts (staging/) are kept; the conversion deletes them after promotion (the code's default is 24 h)."
  type        = number
  default     = 1
}

variable "athena_results_retention_days" {
  description = "Days Athena query results are kept (search pages read them back; queryIds older than this are gone)."
  type        = number
  default     = 2
}

# --- ingest and split ---

variable "nightly_run_files_retention_days" {
  description = "Days a nightly run's work list and map run results (nightly/RUN/) are kept."
  type        = number
  default     = 30
}

variable "usage_retention_days" {
  description = "Days the per-tenant usage records (usage/, the operator's metering: counts only, no log content) are kept. Default 6 x 366: a year beyond the default data retention, for billing questions about data already gone. Tenant deletion keeps them (docs/nightly.md)."
  type        = number
  default     = 2196

  validation {
    condition     = var.usage_retention_days >= 1
    error_message = "usage_retention_days must be at least 1."
  }
}

variable "nightly_retention_areas" {
  description = "OPLAKE_RETENTION_AREAS: areas the nightly job enforces retention on itself (per-tenant overrides); the lifecycle rules enforce the defaults on every area."
  type        = list(string)
  default     = ["parquet"]

  validation {
    condition     = alltrue([for a in var.nightly_retention_areas : contains(["parquet", "archiveRaw", "rejects", "staging"], a)])
    error_message = "nightly_retention_areas may name parquet, archiveRaw, rejects and staging."
  }
}

variable "tenant_retention_overrides" {
  description = "Per-tenant retention (OPLAKE_RETENTION perTenant): tenant id => {parquetDays, archiveRawDays, rejectsDays, stagingHours}, each optional. Shorter than the defaults only: the lifecycle rules delete at the defaults."
  type        = map(map(number))
  default     = {}
}
