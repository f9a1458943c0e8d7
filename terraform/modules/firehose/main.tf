data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  stream_names = [for i in range(var.shards) : format("%s-%02d", var.name_prefix, i)]
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/kinesisfirehose/${var.name_prefix}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_cloudwatch_log_stream" "delivery" {
  for_each = toset(local.stream_names)

  name           = "${each.key}-S3Delivery"
  log_group_name = aws_cloudwatch_log_group.this.name
}

resource "aws_kinesis_firehose_delivery_stream" "this" {
  for_each = toset(local.stream_names)

  name        = each.key
  destination = "extended_s3"

  # Records buffered in the stream are encrypted with the deployment key too (Firehose creates
  # and manages its own KMS grant on it with the deployer's credentials: kms:CreateGrant).
  server_side_encryption {
    enabled  = true
    key_type = "CUSTOMER_MANAGED_CMK"
    key_arn  = var.kms_key_arn
  }

  extended_s3_configuration {
    role_arn            = aws_iam_role.this.arn
    bucket_arn          = var.bucket_arn
    prefix              = "raw/tenant_id=!{partitionKeyFromQuery:tenant_id}/dt=!{partitionKeyFromQuery:dt}/"
    error_output_prefix = "errors/firehose/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/"
    buffering_size      = var.buffering_size_mb
    buffering_interval  = var.buffering_interval_seconds
    compression_format  = "GZIP"
    kms_key_arn         = var.kms_key_arn
    custom_time_zone    = "UTC"
    file_extension      = ".json.gz"

    dynamic_partitioning_configuration {
      enabled        = true
      retry_duration = 300
    }

    processing_configuration {
      enabled = true

      # One Firehose record holds up to 500 JSON lines of one (tenant, dt): split them back
      # into events, read the partition keys of each, and end each event with a new line.
      processors {
        type = "RecordDeAggregation"
        parameters {
          parameter_name  = "SubRecordType"
          parameter_value = "JSON"
        }
      }

      processors {
        type = "MetadataExtraction"
        parameters {
          parameter_name  = "JsonParsingEngine"
          parameter_value = "JQ-1.6"
        }
        parameters {
          parameter_name  = "MetadataExtractionQuery"
          parameter_value = "{tenant_id:.tenant_id,dt:.dt}"
        }
      }

      processors {
        type = "AppendDelimiterToRecord"
      }
    }

    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.this.name
      log_stream_name = aws_cloudwatch_log_stream.delivery[each.key].name
    }
  }

  tags = var.tags
}
