################################################################################
# Remote state of every other stack: one versioned, encrypted, private bucket. Locking
# uses S3 itself (use_lockfile), so no lock table is needed.
################################################################################

data "aws_caller_identity" "current" {}

locals {
  bucket_prefix = "pharma-pipelines-${data.aws_caller_identity.current.account_id}-${var.region}"
}

data "aws_iam_policy_document" "state_key" {
  #checkov:skip=CKV_AWS_109:A key policy's "*" resource means this key only; the account statement delegates to IAM policies, as AWS's default key policy does.
  #checkov:skip=CKV_AWS_111:Same: write actions on "*" in a key policy apply to this key alone.
  #checkov:skip=CKV_AWS_356:Same: a key policy cannot name the key it belongs to.
  statement {
    sid       = "AccountAdministersThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "state" {
  description             = "Terraform state of pharma-pipelines"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.state_key.json
}

resource "aws_kms_alias" "state" {
  name          = "alias/pharma-pipelines-terraform-state"
  target_key_id = aws_kms_key.state.key_id
}

# S3 delivers server access logs only into SSE-S3 buckets.
module "state_access_logs" {
  source = "../modules/s3_bucket"

  name                            = "${local.bucket_prefix}-tfstate-logs"
  kms_key_arn                     = null
  current_version_expiration_days = 400
  policy_statements = [
    {
      Sid       = "S3ServerAccessLogs"
      Effect    = "Allow"
      Principal = { Service = "logging.s3.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "arn:aws:s3:::${local.bucket_prefix}-tfstate-logs/s3/*"
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    },
  ]
}

module "state" {
  source = "../modules/s3_bucket"

  name              = "${local.bucket_prefix}-tfstate"
  kms_key_arn       = aws_kms_key.state.arn
  access_log_bucket = module.state_access_logs.id
}
