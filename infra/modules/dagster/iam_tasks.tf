locals {
  task_arn_pattern     = "arn:aws:ecs:${local.region}:${local.account_id}:task/${aws_ecs_cluster.this.name}/*"
  run_family_pattern   = "arn:aws:ecs:${local.region}:${local.account_id}:task-definition/${local.families.run}:*"
  compute_logs_objects = "${var.run_storage_bucket.arn}/compute-logs/*"
  landing_objects      = "${var.landing_bucket.arn}/${var.landing_bucket.prefix}*"
}

################################################################################
# Task roles: what each program may call on AWS once it runs
################################################################################

resource "aws_iam_role" "task" {
  for_each = toset(["webserver", "daemon", "code_location", "run"])

  name               = "${local.families[each.key]}-task"
  description        = "The ${each.key} program's own AWS permissions"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = var.tags
}

################################################################################
# Webserver: show compute logs, stop a run's task when a user terminates it
################################################################################

data "aws_iam_policy_document" "webserver" {
  statement {
    sid       = "TerminateRuns"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
    resources = [local.task_arn_pattern]
  }

  statement {
    sid = "ResolveRunTaskDefinition"
    # DescribeTaskDefinition has no resource-level permissions: AWS accepts only "*".
    actions   = ["ecs:DescribeTaskDefinition"]
    resources = ["*"]
  }

  statement {
    sid       = "ReadComputeLogs"
    actions   = ["s3:GetObject"]
    resources = [local.compute_logs_objects]
  }

  statement {
    sid       = "ListComputeLogs"
    actions   = ["s3:ListBucket"]
    resources = [var.run_storage_bucket.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["compute-logs/*"]
    }
  }

  statement {
    sid       = "DecryptObjects"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

################################################################################
# Daemon: launch each run as a task of the run task definition, watch and stop it
################################################################################

data "aws_iam_policy_document" "daemon" {
  statement {
    sid       = "LaunchRuns"
    actions   = ["ecs:RunTask"]
    resources = [local.run_family_pattern]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [aws_ecs_cluster.this.arn]
    }
  }

  statement {
    sid       = "TagRunTasks"
    actions   = ["ecs:TagResource"]
    resources = [local.task_arn_pattern]

    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RunTask"]
    }
  }

  statement {
    sid       = "WatchRuns"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
    resources = [local.task_arn_pattern]
  }

  statement {
    sid = "ReadNetworkAndTaskDefinitions"
    # Neither call has resource-level permissions: AWS accepts only "*". The launcher reads
    # the daemon's own network interface to give runs the same subnets and groups.
    actions   = ["ecs:DescribeTaskDefinition", "ec2:DescribeNetworkInterfaces"]
    resources = ["*"]
  }

  statement {
    sid       = "PassRunRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.task["run"].arn, aws_iam_role.execution["run"].arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

################################################################################
# Code server: the landing-zone sensor lists and reads the landing prefix
################################################################################

data "aws_iam_policy_document" "code_location" {
  statement {
    sid       = "ListLandingZone"
    actions   = ["s3:ListBucket"]
    resources = [var.landing_bucket.arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.landing_bucket.prefix}*"]
    }
  }

  statement {
    sid       = "ReadLandingZone"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = [local.landing_objects]
  }

  statement {
    sid       = "DecryptObjects"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

################################################################################
# Run: read the landing zone, write the run's compute logs
################################################################################

data "aws_iam_policy_document" "run" {
  source_policy_documents = [data.aws_iam_policy_document.code_location.json]

  statement {
    sid       = "WriteComputeLogs"
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = [local.compute_logs_objects]
  }

  statement {
    sid       = "EncryptObjects"
    actions   = ["kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

locals {
  task_policies = {
    webserver     = data.aws_iam_policy_document.webserver.json
    daemon        = data.aws_iam_policy_document.daemon.json
    code_location = data.aws_iam_policy_document.code_location.json
    run           = data.aws_iam_policy_document.run.json
  }
}

resource "aws_iam_role_policy" "task" {
  for_each = local.task_policies

  name   = "program"
  role   = aws_iam_role.task[each.key].id
  policy = each.value
}
