# The three Kinesis streams: posts in, predictions out, rejected records out. All encrypted with the stack key.

locals {
  stream_names = {
    input       = "${var.name_prefix}-input"
    predictions = "${var.name_prefix}-predictions"
    rejects     = "${var.name_prefix}-rejects"
  }
}

resource "aws_kinesis_stream" "this" {
  for_each = local.stream_names

  name             = each.value
  shard_count      = var.stream_mode == "PROVISIONED" ? var.shard_count : null
  retention_period = var.retention_hours
  encryption_type  = "KMS"
  kms_key_id       = var.kms_key_arn

  stream_mode_details {
    stream_mode = var.stream_mode
  }

  tags = var.tags
}
