data "aws_ecr_repository" "images" {
  for_each = var.ecr_repository_names

  name = each.value
}

module "dagster" {
  source = "../dagster"

  name                       = local.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  endpoint_security_group_id = module.network.endpoint_security_group_id
  s3_prefix_list_id          = module.network.s3_prefix_list_id
  kms_key_arn                = aws_kms_key.this.arn
  log_retention_days         = var.log_retention_days
  images                     = local.release
  ecr_repository_arns        = [for repository in data.aws_ecr_repository.images : repository.arn]
  pharma_settings            = var.pharma_settings
  task_sizes                 = var.task_sizes
  code_location_scaling      = var.code_location_scaling

  dagster_database = {
    address                = module.dagster_database.address
    port                   = module.dagster_database.port
    database_name          = module.dagster_database.database_name
    username               = module.dagster_database.username
    password_parameter_arn = module.dagster_database.password_parameter_arn
    security_group_id      = module.dagster_database.security_group_id
  }

  warehouse_database = {
    url_parameter_arn = module.warehouse_database.url_parameter_arn
    security_group_id = module.warehouse_database.security_group_id
  }

  landing_bucket = {
    id     = module.landing_bucket.id
    arn    = module.landing_bucket.arn
    prefix = local.landing_prefix
  }

  run_storage_bucket = {
    id  = module.run_storage_bucket.id
    arn = module.run_storage_bucket.arn
  }

  load_balancer = {
    security_group_id = module.ingress.security_group_id
    target_group_arn  = module.ingress.target_group_arn
  }

  tags = local.tags
}
