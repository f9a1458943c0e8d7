variable "name" {
  description = "Table name."
  type        = string
}

variable "hash_key" {
  description = "Name of the string partition key."
  type        = string
}

variable "ttl_attribute" {
  description = "Attribute holding the expiry (epoch seconds) DynamoDB TTL deletes by."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for encryption at rest."
  type        = string
}

variable "point_in_time_recovery" {
  description = "Enable point-in-time recovery."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Refuse DeleteTable (set true in production; `make destroy` then needs it switched off first)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the table."
  type        = map(string)
  default     = {}
}
