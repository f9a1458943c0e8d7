output "bucket" {
  description = "Bucket name."
  value       = aws_s3_bucket.this.bucket
}

output "arn" {
  description = "Bucket ARN."
  value       = aws_s3_bucket.this.arn
}

output "policy_json" {
  description = "The bucket policy (TLS-only)."
  value       = aws_s3_bucket_policy.this.policy
}

output "public_access_block" {
  description = "The four public access block settings."
  value = {
    block_public_acls       = aws_s3_bucket_public_access_block.this.block_public_acls
    block_public_policy     = aws_s3_bucket_public_access_block.this.block_public_policy
    ignore_public_acls      = aws_s3_bucket_public_access_block.this.ignore_public_acls
    restrict_public_buckets = aws_s3_bucket_public_access_block.this.restrict_public_buckets
  }
}

output "encryption" {
  description = "Default encryption: algorithm, key and bucket key."
  value = {
    sse_algorithm      = try(one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm, null)
    kms_master_key_id  = try(one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).kms_master_key_id, null)
    bucket_key_enabled = try(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled, null)
  }
}

output "lifecycle_rules" {
  description = "Lifecycle rules as applied: id => {prefix, expiration_days, abort_incomplete_multipart_upload_days}."
  value = {
    for rule in aws_s3_bucket_lifecycle_configuration.this.rule : rule.id => {
      status                                 = rule.status
      prefix                                 = try(one(rule.filter).prefix, null)
      expiration_days                        = try(length(rule.expiration) == 0 ? null : one(rule.expiration).days, null)
      abort_incomplete_multipart_upload_days = try(length(rule.abort_incomplete_multipart_upload) == 0 ? null : one(rule.abort_incomplete_multipart_upload).days_after_initiation, null)
    }
  }
}
