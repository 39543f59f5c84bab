data "aws_elb_service_account" "current" {}

################################################################################
# Logs: S3 server access logs and load balancer access logs. Both delivery services
# write SSE-S3 objects only, so this is the one bucket without the customer key.
################################################################################

module "log_bucket" {
  source = "../s3_bucket"

  name                            = "${local.bucket_prefix}-logs"
  kms_key_arn                     = null
  current_version_expiration_days = var.log_retention_days
  policy_statements = [
    {
      Sid       = "S3ServerAccessLogs"
      Effect    = "Allow"
      Principal = { Service = "logging.s3.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "arn:aws:s3:::${local.bucket_prefix}-logs/s3/*"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    },
    {
      Sid       = "LoadBalancerAccessLogs"
      Effect    = "Allow"
      Principal = { AWS = data.aws_elb_service_account.current.arn }
      Action    = "s3:PutObject"
      Resource  = "arn:aws:s3:::${local.bucket_prefix}-logs/alb/AWSLogs/${local.account_id}/*"
    },
    {
      Sid       = "LoadBalancerAccessLogDelivery"
      Effect    = "Allow"
      Principal = { Service = "logdelivery.elasticloadbalancing.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "arn:aws:s3:::${local.bucket_prefix}-logs/alb/AWSLogs/${local.account_id}/*"
    },
  ]

  tags = local.tags
}

################################################################################
# Landing zone: extract files as the source systems export them
################################################################################

module "landing_bucket" {
  source = "../s3_bucket"

  name              = "${local.bucket_prefix}-landing"
  kms_key_arn       = aws_kms_key.this.arn
  access_log_bucket = module.log_bucket.id
  policy_statements = length(var.landing_writer_arns) == 0 ? [] : [
    {
      Sid       = "ExportJobsDeliverExtracts"
      Effect    = "Allow"
      Principal = { AWS = var.landing_writer_arns }
      Action    = "s3:PutObject"
      Resource  = "arn:aws:s3:::${local.bucket_prefix}-landing/${local.landing_prefix}*"
    },
  ]

  tags = local.tags
}

################################################################################
# Run storage: compute logs (stdout and stderr of every step)
################################################################################

module "run_storage_bucket" {
  source = "../s3_bucket"

  name              = "${local.bucket_prefix}-run-storage"
  kms_key_arn       = aws_kms_key.this.arn
  access_log_bucket = module.log_bucket.id

  tags = local.tags
}
