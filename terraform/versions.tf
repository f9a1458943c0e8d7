terraform {
  required_version = ">= 1.11.0"

  required_providers {
    # Pinned to the version in the offline mirror (/opt/tf-plugins): no other provider is used
    # (build.mjs makes the zips, so no archive/random/null provider).
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # Local state by default. For a shared deployment copy backend.tf.example to backend.tf
  # (S3 backend with native S3 locking) and run `terraform init -migrate-state`: docs/deploy.md.
}
