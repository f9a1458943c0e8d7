module "nightly_workflow" {
  source = "./modules/nightly-workflow"

  name               = "${var.name}-nightly"
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
    ]
  })

  schedule_expression          = var.nightly_schedule_expression
  schedule_expression_timezone = var.nightly_schedule_timezone
  schedule_enabled             = var.nightly_schedule_enabled
}
