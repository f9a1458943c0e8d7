output "stream_names" {
  description = "Delivery stream names, in shard order (index = shardOf(tenant, n))."
  value       = [for name in local.stream_names : aws_kinesis_firehose_delivery_stream.this[name].name]
}

output "stream_arns" {
  description = "Delivery stream ARNs, in shard order."
  value       = [for name in local.stream_names : aws_kinesis_firehose_delivery_stream.this[name].arn]
}

output "role_arn" {
  description = "Delivery role ARN."
  value       = aws_iam_role.this.arn
}

output "policy_documents" {
  description = "IAM policy documents of the delivery role (JSON), for checks."
  value       = [aws_iam_role_policy.this.policy]
}

output "log_group_name" {
  description = "Delivery error log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "settings" {
  description = "Delivery settings of each stream, for the checks in tests/."
  value = {
    for name, s in aws_kinesis_firehose_delivery_stream.this : name => {
      prefix               = try(one(s.extended_s3_configuration).prefix, null)
      error_output_prefix  = try(one(s.extended_s3_configuration).error_output_prefix, null)
      compression_format   = try(one(s.extended_s3_configuration).compression_format, null)
      buffering_size       = try(one(s.extended_s3_configuration).buffering_size, null)
      buffering_interval   = try(one(s.extended_s3_configuration).buffering_interval, null)
      dynamic_partitioning = try(one(one(s.extended_s3_configuration).dynamic_partitioning_configuration).enabled, null)
      logging_enabled      = try(one(one(s.extended_s3_configuration).cloudwatch_logging_options).enabled, null)
      s3_kms_key_arn       = try(one(s.extended_s3_configuration).kms_key_arn, null)
      sse_enabled          = try(one(s.server_side_encryption).enabled, null)
      sse_key_type         = try(one(s.server_side_encryption).key_type, null)
      sse_key_arn          = try(one(s.server_side_encryption).key_arn, null)
      processors = [
        for p in try(one(one(s.extended_s3_configuration).processing_configuration).processors, []) : {
          type       = p.type
          parameters = { for q in p.parameters : q.parameter_name => q.parameter_value }
        }
      ]
    }
  }
}
