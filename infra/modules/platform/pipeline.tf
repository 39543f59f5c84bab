################################################################################
# Deploy role: what the deploy workflow's job for this environment may do, and nothing
# else: register task definitions with the released images, run the migration, roll
# the services, record the release.
################################################################################

locals {
  cluster_arn = module.dagster.cluster_arn
  family_arns = [
    for family in values(module.dagster.task_families) :
    "arn:aws:ecs:${local.region}:${local.account_id}:task-definition/${family}:*"
  ]
  service_arns = [
    for service in values(module.dagster.service_names) :
    "arn:aws:ecs:${local.region}:${local.account_id}:service/${module.dagster.cluster_name}/${service}"
  ]
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "ReadDeploymentFacts"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.deployment.arn, aws_ssm_parameter.release.arn]
  }

  statement {
    sid       = "RecordRelease"
    actions   = ["ssm:PutParameter"]
    resources = [aws_ssm_parameter.release.arn]
  }

  statement {
    sid = "CopyTaskDefinitions"
    # Neither call has resource-level permissions: AWS accepts only "*". What a new
    # revision may do is bounded by the roles it may pass (below).
    actions   = ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"]
    resources = ["*"]
  }

  statement {
    sid     = "PassTaskRoles"
    actions = ["iam:PassRole"]
    resources = concat(
      values(module.dagster.task_role_arns),
      values(module.dagster.execution_role_arns),
    )

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "RunMigration"
    actions   = ["ecs:RunTask"]
    resources = ["arn:aws:ecs:${local.region}:${local.account_id}:task-definition/${module.dagster.task_families["migrate"]}:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.cluster_arn]
    }
  }

  statement {
    sid       = "WatchMigration"
    actions   = ["ecs:DescribeTasks"]
    resources = ["arn:aws:ecs:${local.region}:${local.account_id}:task/${module.dagster.cluster_name}/*"]
  }

  statement {
    sid       = "ShowMigrationLog"
    actions   = ["logs:GetLogEvents"]
    resources = ["arn:aws:logs:${local.region}:${local.account_id}:log-group:${module.dagster.log_group_names["migrate"]}:log-stream:*"]
  }

  statement {
    sid       = "RollServices"
    actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
    resources = local.service_arns
  }
}

module "deploy_role" {
  source = "../github_oidc"

  role_name         = "${local.name}-deploy"
  role_description  = "Deploy workflow, GitHub environment ${var.environment}: release images into ${local.name}"
  github_repository = var.github_repository
  subjects          = ["environment:${var.environment}"]
  policy_json       = data.aws_iam_policy_document.deploy.json

  tags = local.tags
}
