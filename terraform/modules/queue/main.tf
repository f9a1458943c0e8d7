data "aws_region" "current" {}

locals {
  # hashicorp/aws 5.100 validates max_message_size <= 262144 although SQS takes 1 MiB: above that,
  # the queue is created at 256 KiB and terraform_data.max_message_size raises it through the SDK.
  provider_max_message_size = 262144
  raise_message_size        = var.max_message_size > local.provider_max_message_size

  # AWS guidance for Lambda event sources: visibility timeout >= 6x the function timeout.
  visibility_timeout = max(var.visibility_timeout_seconds, 6 * var.consumer_timeout_seconds)
}

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = var.dlq_message_retention_seconds
  max_message_size          = min(var.max_message_size, local.provider_max_message_size)
  sqs_managed_sse_enabled   = var.kms_key_arn == null ? true : null
  kms_master_key_id         = var.kms_key_arn
  # How long SQS reuses a data key before calling KMS again (per queue and principal).
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : var.kms_data_key_reuse_period_seconds
  tags                              = var.tags

  lifecycle {
    # Set by terraform_data.max_message_size when above the provider's limit.
    ignore_changes = [max_message_size]
  }
}

resource "aws_sqs_queue" "this" {
  name                       = var.name
  visibility_timeout_seconds = local.visibility_timeout
  message_retention_seconds  = var.message_retention_seconds
  max_message_size           = min(var.max_message_size, local.provider_max_message_size)
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = var.kms_key_arn == null ? true : null
  kms_master_key_id          = var.kms_key_arn
  # How long SQS reuses a data key before calling KMS again (per queue and principal).
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : var.kms_data_key_reuse_period_seconds
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags

  lifecycle {
    # Set by terraform_data.max_message_size when above the provider's limit.
    ignore_changes = [max_message_size]
  }
}

resource "terraform_data" "max_message_size" {
  for_each = local.raise_message_size ? { queue = aws_sqs_queue.this.id, dlq = aws_sqs_queue.dlq.id } : {}

  triggers_replace = [each.value, var.max_message_size]

  provisioner "local-exec" {
    command = "${var.sdk_attribute_setter ? "node" : "echo skipped: node"} ${abspath("${path.module}/../../scripts/sqs-set-attributes.cjs")} ${each.value} MaximumMessageSize=${var.max_message_size}"
    environment = {
      AWS_REGION       = data.aws_region.current.name
      NODE_NO_WARNINGS = "1"
    }
  }
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}
