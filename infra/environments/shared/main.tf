################################################################################
# What every environment shares: the image registry, the account's GitHub identity
# provider and the role that builds and pushes the images once per commit on main.
################################################################################

locals {
  repositories = {
    code_location = "pharma-pipelines/code-location"
    dagster       = "pharma-pipelines/dagster"
    migrate       = "pharma-pipelines/migrate"
  }
}

data "aws_caller_identity" "current" {}

################################################################################
# Registry
################################################################################

data "aws_iam_policy_document" "registry_key" {
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

resource "aws_kms_key" "registry" {
  description             = "pharma-pipelines images in ECR"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.registry_key.json
}

resource "aws_kms_alias" "registry" {
  name          = "alias/pharma-pipelines-registry"
  target_key_id = aws_kms_key.registry.key_id
}

module "registry" {
  source = "../../modules/ecr"

  repositories        = toset(values(local.repositories))
  kms_key_arn         = aws_kms_key.registry.arn
  pull_principal_arns = var.pull_principal_arns
}

################################################################################
# Build role: the deploy workflow's build job on main pushes the three images
################################################################################

data "aws_iam_policy_document" "build" {
  statement {
    sid = "RegistryLogin"
    # GetAuthorizationToken has no resource-level permissions: AWS accepts only "*".
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushImages"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = values(module.registry.repository_arns)
  }

  statement {
    sid       = "EncryptLayers"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.registry.arn]
  }
}

module "build_role" {
  source = "../../modules/github_oidc"

  create_provider   = true
  role_name         = "pharma-pipelines-build"
  role_description  = "Deploy workflow, build job on main: push the images to ECR"
  github_repository = var.github_repository
  subjects          = ["ref:refs/heads/main"]
  policy_json       = data.aws_iam_policy_document.build.json
}
