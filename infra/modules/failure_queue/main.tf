# The trigger's on-failure destination: metadata of batches that exhausted their retries or aged out lands here
# (the records themselves stay in the stream until retention ends).

resource "aws_sqs_queue" "this" {
  name                              = var.queue_name
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300
  message_retention_seconds         = var.message_retention_seconds
  tags                              = var.tags
}
