################################################################################
# Environment tst: test (qualification): production's shape at a smaller size
################################################################################

module "platform" {
  source = "../../modules/platform"

  environment         = "tst"
  availability_zones  = ["${var.region}a", "${var.region}b"]
  vpc_cidr_block      = "10.40.16.0/20"
  allowed_cidr_blocks = var.allowed_cidr_blocks
  hosted_zone_name    = var.hosted_zone_name
  host_name           = var.host_name
  github_repository   = var.github_repository
  bootstrap_release   = var.bootstrap_release
  landing_writer_arns = var.landing_writer_arns

  database = {
    instance_class        = "db.t4g.medium"
    multi_az              = true
    backup_retention_days = 14
  }

  code_location_scaling = {
    min                = 1
    max                = 3
    target_cpu_percent = 60
  }

  pharma_settings = {
    PHARMA_PLANTS = var.plants
  }
}
