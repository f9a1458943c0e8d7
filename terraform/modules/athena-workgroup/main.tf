resource "aws_athena_workgroup" "this" {
  name          = var.name
  description   = var.description
  state         = "ENABLED"
  force_destroy = true

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query
    requester_pays_enabled             = false

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location = var.output_location

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }

  # Tags are also what moto needs to describe a workgroup (docs/terraform-emulator.md).
  tags = merge(var.tags, { "oplake:workgroup" = var.name })
}
