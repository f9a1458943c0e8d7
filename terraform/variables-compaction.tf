# Compaction of small tenants' closed months into one file each (docs/nightly.md "Compaction"),
# run by ctas-runner after each tenant's conversion.

variable "compaction_max_months_per_tenant" {
  description = "OPLAKE_COMPACTION_MAX_MONTHS: closed months compacted per tenant a night, oldest first (0 turns compaction off)."
  type        = number
  default     = 3

  validation {
    condition     = var.compaction_max_months_per_tenant >= 0 && var.compaction_max_months_per_tenant <= 120
    error_message = "compaction_max_months_per_tenant must be between 0 and 120."
  }
}

variable "compaction_grace_days" {
  description = "OPLAKE_COMPACTION_GRACE_DAYS: days after a month's last day before it is compacted (late arrivals after it re-open a day until the next compaction)."
  type        = number
  default     = 3

  validation {
    condition     = var.compaction_grace_days >= 0 && var.compaction_grace_days <= 365
    error_message = "compaction_grace_days must be between 0 and 365."
  }
}

variable "compaction_max_day_bytes" {
  description = "OPLAKE_COMPACTION_MAX_DAY_BYTES: a month is compacted only when each of its day folders holds at most this many bytes of Parquet (large tenants keep one file a day)."
  type        = number
  default     = 8388608

  validation {
    condition     = var.compaction_max_day_bytes >= 0 && var.compaction_max_day_bytes <= 1073741824
    error_message = "compaction_max_day_bytes must be between 0 and 1 GiB."
  }
}
