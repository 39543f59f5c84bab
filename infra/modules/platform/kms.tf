################################################################################
# Customer managed key of the environment: logs, parameters, buckets, databases
################################################################################

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:A key policy's "*" resource means this key only; the account statement delegates to IAM policies, as AWS's default key policy does.
  #checkov:skip=CKV_AWS_111:Same: write actions on "*" in a key policy apply to this key alone.
  #checkov:skip=CKV_AWS_356:Same: a key policy cannot name the key it belongs to.
  statement {
    sid       = "AccountAdministersThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncryptsTheEnvironmentsLogGroups"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values = [
        "arn:aws:logs:${local.region}:${local.account_id}:log-group:/pharma-pipelines/${local.name}/*",
        "arn:aws:logs:${local.region}:${local.account_id}:log-group:/aws/rds/instance/${local.name}-*",
        "arn:aws:logs:${local.region}:${local.account_id}:log-group:aws-waf-logs-${local.name}",
      ]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${local.name}: logs, parameters, buckets and databases"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json

  tags = local.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.this.key_id
}
