# The Kinesis event source mapping: batches from the input stream, partial-batch responses, bisect on error,
# bounded retries and record age, and an SQS on-failure destination.

resource "aws_lambda_event_source_mapping" "this" {
  function_name                      = var.function_name
  event_source_arn                   = var.input_stream_arn
  starting_position                  = var.starting_position
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.batching_window_seconds
  parallelization_factor             = var.parallelization_factor
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = var.maximum_retry_attempts
  maximum_record_age_in_seconds      = var.maximum_record_age_seconds
  # The handler reports the sequence numbers it could not write; Lambda retries from the lowest one.
  function_response_types = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = var.failure_queue_arn
    }
  }
}
