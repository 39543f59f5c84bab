module "network" {
  source = "../network"

  name               = local.name
  cidr_block         = var.vpc_cidr_block
  availability_zones = var.availability_zones
  kms_key_arn        = aws_kms_key.this.arn
  log_retention_days = var.log_retention_days

  tags = local.tags
}
