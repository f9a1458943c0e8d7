data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = jsonencode(local.policy)
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.alias}"
  target_key_id = aws_kms_key.this.key_id
}

locals {
  policy = {
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          # The account administers the key; every other grant is an IAM policy on a role.
          Sid       = "AccountAdministers"
          Effect    = "Allow"
          Principal = { AWS = local.account_root }
          Action    = "kms:*"
          Resource  = "*"
        },
      ],
      length(var.service_principals) == 0 ? [] : [
        {
          # Services that publish to encrypted resources on their own behalf (CloudWatch alarms
          # to the encrypted SNS topic, CloudWatch Logs for encrypted log groups).
          Sid       = "ServicesEncrypt"
          Effect    = "Allow"
          Principal = { Service = var.service_principals }
          Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
          Resource  = "*"
        },
      ],
    )
  }
}
