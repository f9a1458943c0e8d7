locals {
  # The workflow's own ARN (the module names the state machine var.name): its Distributed Map
  # starts child executions of this state machine.
  nightly_workflow_name = "${var.name}-nightly"
  nightly_workflow_arn  = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${local.nightly_workflow_name}"
  nightly_children_arn  = "arn:${local.partition}:states:${local.region}:${local.account_id}:execution:${local.nightly_workflow_name}/*"
}

module "nightly_workflow" {
  source = "./modules/nightly-workflow"

  name               = local.nightly_workflow_name
  log_retention_days = var.log_retention_days

  # The ASL file is shared with local mode (aws-local-stepfunctions); Terraform fills in the ARNs.
  # Placeholders of functions/nightly/nightly.asl.json (docs/nightly.md).
  definition = templatefile(local.asl_path, {
    nightly_function_arn = module.nightly.function_arn
    fanout_queue_url     = module.fanout_queue.queue_url
  })

  policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Steps"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = [module.nightly.function_arn, "${module.nightly.function_arn}:*"]
      },
      {
        Sid      = "FanOut"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = [module.fanout_queue.queue_arn]
      },
      {
        # Distributed Map: child executions of this state machine, one per batch of tenants.
        Sid      = "MapRunChildren"
        Effect   = "Allow"
        Action   = ["states:StartExecution"]
        Resource = [local.nightly_workflow_arn]
      },
      {
        Sid      = "MapRunChildExecutions"
        Effect   = "Allow"
        Action   = ["states:DescribeExecution", "states:StopExecution"]
        Resource = [local.nightly_children_arn]
      },
      {
        # ItemReader reads Discover's work list; ResultWriter writes the children's results.
        Sid      = "MapRunFiles"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
        Resource = ["${local.lake_arn}/nightly/*"]
      },
      local.kms_statement["nightly_workflow"],
    ]
  })

  schedule_expression          = var.nightly_schedule_expression
  schedule_expression_timezone = var.nightly_schedule_timezone
  schedule_enabled             = var.nightly_schedule_enabled
  intraday_schedule_expression = var.intraday_schedule_expression
}
