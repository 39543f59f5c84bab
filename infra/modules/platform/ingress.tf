module "ingress" {
  source = "../ingress"

  name                = local.name
  vpc_id              = module.network.vpc_id
  public_subnet_ids   = module.network.public_subnet_ids
  allowed_cidr_blocks = var.allowed_cidr_blocks
  hosted_zone_name    = var.hosted_zone_name
  host_name           = var.host_name
  access_log_bucket   = module.log_bucket.id
  kms_key_arn         = aws_kms_key.this.arn
  log_retention_days  = var.log_retention_days
  deletion_protection = var.deletion_protection

  tags = local.tags
}
