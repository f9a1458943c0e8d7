output "url" {
  description = "The console's address (https://<distribution>.cloudfront.net/)."
  value       = "https://${aws_cloudfront_distribution.this.domain_name}/"
}

output "origin" {
  description = "The console's origin, for the search function URL's CORS."
  value       = "https://${aws_cloudfront_distribution.this.domain_name}"
}

output "bucket" {
  description = "The bucket holding the site's files."
  value       = aws_s3_bucket.this.bucket
}

output "distribution_id" {
  description = "CloudFront distribution id (for invalidations after a new upload)."
  value       = aws_cloudfront_distribution.this.id
}

output "files" {
  description = "Keys uploaded from site_dir, and config.json."
  value       = sort(concat(keys(aws_s3_object.file), [aws_s3_object.config.key]))
}

output "settings" {
  description = "What the promises test checks: public access block, encryption, bucket policy, origin access, headers."
  value = {
    public_access_block = {
      block_public_acls       = aws_s3_bucket_public_access_block.this.block_public_acls
      block_public_policy     = aws_s3_bucket_public_access_block.this.block_public_policy
      ignore_public_acls      = aws_s3_bucket_public_access_block.this.ignore_public_acls
      restrict_public_buckets = aws_s3_bucket_public_access_block.this.restrict_public_buckets
    }
    sse_algorithm            = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].sse_algorithm
    policy_json              = aws_s3_bucket_policy.this.policy
    origin_access_control_id = one(aws_cloudfront_distribution.this.origin).origin_access_control_id
    oac_signing              = "${aws_cloudfront_origin_access_control.this.signing_behavior}/${aws_cloudfront_origin_access_control.this.signing_protocol}"
    viewer_protocol_policy   = aws_cloudfront_distribution.this.default_cache_behavior[0].viewer_protocol_policy
    headers_policy_attached  = aws_cloudfront_distribution.this.default_cache_behavior[0].response_headers_policy_id == aws_cloudfront_response_headers_policy.security.id
    csp                      = local.csp
    frame_option             = aws_cloudfront_response_headers_policy.security.security_headers_config[0].frame_options[0].frame_option
    hsts_max_age             = aws_cloudfront_response_headers_policy.security.security_headers_config[0].strict_transport_security[0].access_control_max_age_sec
    referrer_policy          = aws_cloudfront_response_headers_policy.security.security_headers_config[0].referrer_policy[0].referrer_policy
  }
}

output "config_json" {
  description = "The config.json written for the page."
  value       = aws_s3_object.config.content
}
