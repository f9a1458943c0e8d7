resource "aws_iam_role" "this" {
  name                 = var.function_name
  description          = "Execution role of the ${var.function_name} Lambda function."
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

locals {
  # Writing to its own log group and sending X-Ray segments; X-Ray actions take no resource ARN.
  base_policy = {
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "OwnLogGroup"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
        },
        {
          Sid      = "XRay"
          Effect   = "Allow"
          Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
          Resource = ["*"]
        },
      ],
      var.sqs_event_source == null ? [] : [
        {
          Sid      = "EventSourceQueue"
          Effect   = "Allow"
          Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
          Resource = [var.sqs_event_source.queue_arn]
        },
      ],
      var.dead_letter_target_arn == null ? [] : [
        {
          Sid      = "DeadLetter"
          Effect   = "Allow"
          Action   = ["sqs:SendMessage"]
          Resource = [var.dead_letter_target_arn]
        },
      ],
    )
  }
}

resource "aws_iam_role_policy" "logs" {
  name   = "runtime"
  role   = aws_iam_role.this.id
  policy = jsonencode(local.base_policy)
}

resource "aws_iam_role_policy" "this" {
  name   = "code"
  role   = aws_iam_role.this.id
  policy = var.policy_json
}
