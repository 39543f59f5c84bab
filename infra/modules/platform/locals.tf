data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  name       = "pharma-pipelines-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region

  # Bucket names are global: the account and region keep them unique.
  bucket_prefix = "${local.name}-${local.account_id}-${local.region}"

  parameter_prefix = "/pharma-pipelines/${var.environment}"
  landing_prefix   = "landing/"

  tags = merge(var.tags, { Environment = var.environment, Application = "pharma-pipelines" })
}
