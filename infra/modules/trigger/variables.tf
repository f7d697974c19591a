variable "function_name" {
  description = "Function the mapping invokes."
  type        = string
}

variable "input_stream_arn" {
  description = "Stream the mapping reads."
  type        = string
}

variable "failure_queue_arn" {
  description = "SQS queue receiving metadata of batches that are given up."
  type        = string
}

variable "starting_position" {
  description = "Where a new mapping starts reading: LATEST or TRIM_HORIZON."
  type        = string
  default     = "LATEST"
  validation {
    condition     = contains(["LATEST", "TRIM_HORIZON"], var.starting_position)
    error_message = "starting_position must be LATEST or TRIM_HORIZON."
  }
}

variable "batch_size" {
  description = "Records per invocation (1-10000)."
  type        = number
  default     = 100
}

variable "batching_window_seconds" {
  description = "Seconds to wait for a fuller batch (0-300)."
  type        = number
  default     = 1
}

variable "parallelization_factor" {
  description = "Concurrent batches per shard (1-10); order is kept per partition key."
  type        = number
  default     = 1
}

variable "maximum_retry_attempts" {
  description = "Retries of a failing batch before it goes to the failure queue (-1 = until the record expires)."
  type        = number
  default     = 5
}

variable "maximum_record_age_seconds" {
  description = "Records older than this are sent to the failure queue instead of the function (-1 = never)."
  type        = number
  default     = 3600
}
