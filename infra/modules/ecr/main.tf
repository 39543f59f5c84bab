################################################################################
# Repositories: immutable tags, scanned on push, encrypted with the customer key
################################################################################

resource "aws_ecr_repository" "this" {
  for_each = var.repositories

  name                 = each.value
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }

  tags = var.tags
}

################################################################################
# Lifecycle: drop untagged images (build cache, superseded attestations)
################################################################################

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Expire untagged images"
      selection = {
        tagStatus   = "untagged"
        countType   = "sinceImagePushed"
        countUnit   = "days"
        countNumber = var.untagged_image_retention_days
      }
      action = { type = "expire" }
    }]
  })
}

################################################################################
# Cross-account pulls (only when environments live in other accounts)
################################################################################

data "aws_iam_policy_document" "pull" {
  count = length(var.pull_principal_arns) == 0 ? 0 : 1

  statement {
    sid     = "PullFromEnvironmentAccounts"
    actions = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]

    principals {
      type        = "AWS"
      identifiers = var.pull_principal_arns
    }
  }
}

resource "aws_ecr_repository_policy" "this" {
  for_each = { for name, repository in aws_ecr_repository.this : name => repository.name if length(var.pull_principal_arns) > 0 }

  repository = each.value
  policy     = data.aws_iam_policy_document.pull[0].json
}
