variable "database_name" {
  description = "Glue database name (letters, digits and underscores)."
  type        = string
}

variable "bucket_name" {
  description = "Lake bucket name."
  type        = string
}

variable "projection_start_date" {
  description = "First day (yyyy-MM-dd) of the dt partition projection range; the range ends at NOW."
  type        = string
  default     = "2020-01-01"
}
