variable "bucket_name" {
  description = "Globally unique bucket name."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for default SSE-KMS encryption (with an S3 bucket key)."
  type        = string
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete a non-empty bucket. Keep false for the lake in production."
  type        = bool
  default     = false
}

variable "versioning" {
  description = "Enable object versioning (noncurrent versions then need a noncurrent_days expiry in lifecycle_rules)."
  type        = bool
  default     = false
}

variable "lifecycle_rules" {
  description = "Prefix-scoped lifecycle rules: expiration after expiration_days, optional transition, optional noncurrent version expiry. An abort-incomplete-multipart-uploads rule is always added."
  type = list(object({
    id                       = string
    prefix                   = string
    expiration_days          = optional(number)
    noncurrent_days          = optional(number)
    transition_days          = optional(number)
    transition_storage_class = optional(string, "STANDARD_IA")
  }))
  default = []
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted."
  type        = number
  default     = 1
}

variable "tags" {
  description = "Tags for the bucket."
  type        = map(string)
  default     = {}
}
