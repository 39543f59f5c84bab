################################################################################
# Release record: which images run in this environment. The deploy workflow writes it
# after each release (Parameter Store keeps every version: the release history); Terraform
# only creates it and reads it, so an infrastructure change never rolls an image back.
################################################################################

resource "aws_ssm_parameter" "release" {
  #checkov:skip=CKV_AWS_337:Image digests are public facts about the release, not secrets; a plain String lets Terraform read it without decrypt rights.
  #checkov:skip=CKV2_AWS_34:Same: nothing secret to encrypt.
  name           = "${local.parameter_prefix}/release"
  description    = "Images released to ${var.environment} (repository@sha256:digest), written by the deploy workflow"
  type           = "String"
  insecure_value = jsonencode(var.bootstrap_release)

  tags = local.tags

  lifecycle {
    ignore_changes = [insecure_value]
  }
}

data "aws_ssm_parameter" "release" {
  name = aws_ssm_parameter.release.name

  # Read after the parameter exists on the first apply, and at plan time afterwards.
  depends_on = [aws_ssm_parameter.release]
}

locals {
  release = jsondecode(data.aws_ssm_parameter.release.insecure_value)
}

################################################################################
# Deployment facts the workflow needs (cluster, families, services, network of the
# migration task), so that it reads one parameter instead of the Terraform state.
################################################################################

resource "aws_ssm_parameter" "deployment" {
  #checkov:skip=CKV_AWS_337:Resource names and subnet IDs, no secret; a plain String keeps the workflow's read simple.
  #checkov:skip=CKV2_AWS_34:Same: nothing secret to encrypt.
  name        = "${local.parameter_prefix}/deployment"
  description = "Cluster, task families, services and migration network of ${var.environment}, for the deploy workflow"
  type        = "String"
  insecure_value = jsonencode({
    cluster        = module.dagster.cluster_name
    families       = module.dagster.task_families
    containers     = module.dagster.container_names
    services       = module.dagster.service_names
    subnets        = module.dagster.subnet_ids
    migrate_group  = module.dagster.security_group_ids["migrate"]
    migrate_logs   = module.dagster.log_group_names["migrate"]
    release_record = aws_ssm_parameter.release.name
  })

  tags = local.tags
}
