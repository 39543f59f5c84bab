################################################################################
# Environment prd: production
################################################################################

module "platform" {
  source = "../../modules/platform"

  environment         = "prd"
  availability_zones  = ["${var.region}a", "${var.region}b", "${var.region}c"]
  vpc_cidr_block      = "10.40.32.0/20"
  allowed_cidr_blocks = var.allowed_cidr_blocks
  hosted_zone_name    = var.hosted_zone_name
  host_name           = var.host_name
  github_repository   = var.github_repository
  bootstrap_release   = var.bootstrap_release
  landing_writer_arns = var.landing_writer_arns

  database = {
    instance_class        = "db.m7g.large"
    multi_az              = true
    backup_retention_days = 35
  }

  code_location_scaling = {
    min                = 2
    max                = 4
    target_cpu_percent = 60
  }

  pharma_settings = {
    PHARMA_PLANTS = var.plants
  }
}
