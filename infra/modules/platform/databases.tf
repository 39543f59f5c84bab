################################################################################
# Two PostgreSQL instances: Dagster's own storage and the product's warehouse. Separate
# instances keep the warehouse password away from the webserver and daemon, and let the
# warehouse (GxP records) keep its own backups and restore without Dagster's history.
################################################################################

module "dagster_database" {
  source = "../database"

  name                  = "${local.name}-dagster"
  purpose               = "Dagster runs, event logs and schedules"
  database_name         = "dagster"
  username              = "dagster"
  instance_class        = var.database.instance_class
  multi_az              = var.database.multi_az
  backup_retention_days = var.database.backup_retention_days
  deletion_protection   = var.deletion_protection
  vpc_id                = module.network.vpc_id
  subnet_ids            = module.network.private_subnet_ids
  kms_key_arn           = aws_kms_key.this.arn
  log_retention_days    = var.log_retention_days
  parameter_prefix      = "${local.parameter_prefix}/dagster-db"
  client_security_group_ids = {
    webserver       = module.dagster.security_group_ids["webserver"]
    "daemon-runs"   = module.dagster.security_group_ids["workers"]
    "code-location" = module.dagster.security_group_ids["code_location"]
  }

  tags = local.tags
}

module "warehouse_database" {
  source = "../database"

  name                  = "${local.name}-warehouse"
  purpose               = "pharma-pipelines warehouse (raw, curated and planning tables)"
  database_name         = "warehouse"
  username              = "pharma"
  instance_class        = var.database.instance_class
  multi_az              = var.database.multi_az
  backup_retention_days = var.database.backup_retention_days
  deletion_protection   = var.deletion_protection
  vpc_id                = module.network.vpc_id
  subnet_ids            = module.network.private_subnet_ids
  kms_key_arn           = aws_kms_key.this.arn
  log_retention_days    = var.log_retention_days
  parameter_prefix      = "${local.parameter_prefix}/warehouse-db"
  sqlalchemy_url_driver = "postgresql+psycopg2"
  client_security_group_ids = {
    "daemon-runs" = module.dagster.security_group_ids["workers"]
    migrate       = module.dagster.security_group_ids["migrate"]
  }

  tags = local.tags
}
