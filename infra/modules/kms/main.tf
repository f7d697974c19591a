# One customer-managed key for the stack's data at rest: the three streams, the model bucket, the failure queue,
# the function's environment and its log group. Access to data is granted by IAM (the root statement below
# delegates to IAM), so the only service principal here is CloudWatch Logs, which needs it in the key policy.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_root  = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
  log_group_arn = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:${var.log_group_name}"
}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:This is a key policy: its "*" resource is this key alone, and the account-root statement is AWS's default that hands access control to IAM.
  #checkov:skip=CKV_AWS_111:This is a key policy: its "*" resource is this key alone; write access is decided by IAM policies (the root statement) and a logs condition.
  #checkov:skip=CKV_AWS_356:This is a key policy: a key policy's resource can only be "*" (meaning this key).
  # In a key policy, "*" as the resource means this key and nothing else.
  statement {
    sid       = "AccountAdministersThisKeyThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncryptsTheFunctionLogGroup"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.name}.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [local.log_group_arn]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name_prefix}: streams, model bucket, failure queue, function environment and logs"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name_prefix}"
  target_key_id = aws_kms_key.this.key_id
}
