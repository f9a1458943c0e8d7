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
      [
        for service, source_arn in var.service_principals : {
          # A service that writes to an encrypted resource on its own behalf (CloudWatch alarm
          # actions to the encrypted SNS topic), for this account's resources of this deployment
          # only (aws:SourceAccount, aws:SourceArn: no other account's alarm can use the key).
          Sid       = "ServiceEncrypt${join("", [for part in split(".", service) : title(part)])}"
          Effect    = "Allow"
          Principal = { Service = service }
          Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
          Resource  = "*"
          Condition = {
            StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
            ArnLike      = { "aws:SourceArn" = source_arn }
          }
        }
      ],
    )
  }
}
