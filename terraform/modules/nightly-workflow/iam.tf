resource "aws_iam_role" "state_machine" {
  name = "${var.name}-states"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "states.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
      }
    }]
  })
  tags = var.tags
}

locals {
  # CloudWatch Logs delivery and X-Ray actions take no resource ARN (AWS documents "*").
  runtime_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "LogDelivery"
        Effect = "Allow"
        Action = [
          "logs:CreateLogDelivery",
          "logs:GetLogDelivery",
          "logs:UpdateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:DescribeResourcePolicies",
          "logs:DescribeLogGroups",
        ]
        Resource = ["*"]
      },
      {
        Sid      = "XRay"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
        Resource = ["*"]
      },
    ]
  }

  state_machine_arn = "arn:${data.aws_partition.current.partition}:states:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:stateMachine:${var.name}"

  scheduler_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid      = "StartWorkflow"
      Effect   = "Allow"
      Action   = ["states:StartExecution"]
      Resource = [local.state_machine_arn]
    }]
  }
}

resource "aws_iam_role_policy" "runtime" {
  name   = "runtime"
  role   = aws_iam_role.state_machine.id
  policy = jsonencode(local.runtime_policy)
}

resource "aws_iam_role_policy" "state_machine" {
  name   = "steps"
  role   = aws_iam_role.state_machine.id
  policy = var.policy_json
}

resource "aws_iam_role" "scheduler" {
  name = "${var.name}-scheduler"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "scheduler.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
      }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "start-workflow"
  role   = aws_iam_role.scheduler.id
  policy = jsonencode(local.scheduler_policy)
}
