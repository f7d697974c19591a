# The function's execution role with exactly what the function and its Kinesis trigger use: read the input
# stream, write predictions and rejects, read the model prefix, send to the failure queue, use the stack key,
# write its own log group (and X-Ray segments when tracing is on).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  log_group_arn = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:/aws/lambda/${var.function_name}"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.role_name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "function" {
  # What the event source mapping needs to poll a shard with a standard iterator (no enhanced fan-out, so no
  # SubscribeToShard; ListStreams is not used by the poller).
  statement {
    sid = "ReadInputStream"
    actions = [
      "kinesis:DescribeStream",
      "kinesis:DescribeStreamSummary",
      "kinesis:GetRecords",
      "kinesis:GetShardIterator",
      "kinesis:ListShards",
    ]
    resources = [var.input_stream_arn]
  }

  statement {
    sid       = "WritePredictionsAndRejects"
    actions   = ["kinesis:PutRecord", "kinesis:PutRecords"]
    resources = var.output_stream_arns
  }

  statement {
    sid       = "ReadModelArtifacts"
    actions   = ["s3:GetObject"]
    resources = ["${var.model_bucket_arn}/${var.model_prefix}*"]
  }

  statement {
    sid       = "ReportFailedBatches"
    actions   = ["sqs:SendMessage"]
    resources = [var.failure_queue_arn]
  }

  # Decrypt: input records and the model object; GenerateDataKey: writing to encrypted streams and the queue.
  statement {
    sid       = "UseTheStackKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }
}

resource "aws_iam_role_policy" "function" {
  name   = "${var.role_name}-access"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.function.json
}

data "aws_iam_policy_document" "xray" {
  # X-Ray's write actions have no resource-level permissions: "*" is the only resource they accept.
  statement {
    sid       = "WriteTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "xray" {
  count  = var.enable_xray ? 1 : 0
  name   = "${var.role_name}-xray"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.xray.json
}
