resource "aws_iam_role" "this" {
  name = "${var.name_prefix}-firehose"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "firehose.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "sts:ExternalId" = data.aws_caller_identity.current.account_id }
      }
    }]
  })
  tags = var.tags
}

locals {
  # Firehose's documented S3 destination grants, scoped to the two prefixes it writes.
  policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Bucket"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
        Resource = [var.bucket_arn]
      },
      {
        Sid      = "Objects"
        Effect   = "Allow"
        Action   = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]
        Resource = ["${var.bucket_arn}/raw/*", "${var.bucket_arn}/errors/firehose/*"]
      },
      {
        Sid      = "Encrypt"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = [var.kms_key_arn]
        # Only through S3. (No encryption-context condition: with S3 Bucket Keys the context is
        # the bucket ARN, not the object's.)
        Condition = {
          StringEquals = { "kms:ViaService" = "s3.${data.aws_region.current.name}.amazonaws.com" }
        }
      },
      {
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = ["logs:PutLogEvents"]
        Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
      },
    ]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "delivery"
  role   = aws_iam_role.this.id
  policy = jsonencode(local.policy)
}
