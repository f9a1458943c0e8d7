provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge({ project = "oplake", deployment = var.name }, var.tags)
  }
}
