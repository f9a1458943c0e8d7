output "queue_arn" {
  description = "ARN of the queue."
  value       = aws_sqs_queue.this.arn
}

output "queue_url" {
  description = "URL of the queue."
  value       = aws_sqs_queue.this.id
}

output "queue_name" {
  description = "Name of the queue."
  value       = aws_sqs_queue.this.name
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dlq.id
}

output "dlq_name" {
  description = "Name of the dead-letter queue."
  value       = aws_sqs_queue.dlq.name
}

output "visibility_timeout_seconds" {
  description = "Effective visibility timeout."
  value       = aws_sqs_queue.this.visibility_timeout_seconds
}

output "max_message_size" {
  description = "Maximum message size of the queue and its DLQ once applied (set through the SDK above 256 KiB)."
  value       = local.raise_message_size ? var.max_message_size : aws_sqs_queue.this.max_message_size
}

output "max_receive_count" {
  description = "Receives before a message moves to the DLQ."
  value       = jsondecode(aws_sqs_queue.this.redrive_policy).maxReceiveCount
}

output "sse_enabled" {
  description = "Whether both queues are encrypted at rest (SSE-SQS or SSE-KMS)."
  value = alltrue([
    for q in [aws_sqs_queue.this, aws_sqs_queue.dlq] : q.sqs_managed_sse_enabled == true || q.kms_master_key_id != null
  ])
}

output "dead_letter_target_arn" {
  description = "The DLQ the redrive policy names."
  value       = jsondecode(aws_sqs_queue.this.redrive_policy).deadLetterTargetArn
}

output "consumer_timeout_seconds" {
  description = "The consumer timeout the visibility timeout was sized for."
  value       = var.consumer_timeout_seconds
}

output "message_retention_seconds" {
  description = "How long the queue keeps an undelivered message."
  value       = aws_sqs_queue.this.message_retention_seconds
}

output "dlq_message_retention_seconds" {
  description = "How long the DLQ keeps a dead letter."
  value       = aws_sqs_queue.dlq.message_retention_seconds
}

output "encryption" {
  description = "SSE settings of the queue and its DLQ as applied (the KMS key, its data key reuse period), for the checks in tests/."
  value = {
    for name, q in { queue              = aws_sqs_queue.this, dlq = aws_sqs_queue.dlq } : name => {
      kms_master_key_id                 = q.kms_master_key_id
      kms_data_key_reuse_period_seconds = q.kms_data_key_reuse_period_seconds
      sqs_managed_sse_enabled           = q.sqs_managed_sse_enabled
    }
  }
}
