# ---------------------------------------------------------------------------------------------------- naming
variable "name" {
  description = "Project name, the first part of every resource name."
  type        = string
  default     = "stresslens"
}

variable "environment" {
  description = "Environment name (local, stg, prod...), the second part of every resource name."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9-]{1,12}$", var.environment))
    error_message = "environment must be 1-12 characters of a-z, 0-9 and -."
  }
}

variable "emulator_compatible" {
  description = <<-EOT
    Leave out what moto and LocalStack do not store, which would otherwise show as a change in every plan (or
    make the provider wait forever): tags on the streams (dropped on CreateStream), NewerNoncurrentVersions in
    the lifecycle rule, the function's environment key (KMSKeyArn is not returned; AWS's own key is used); and
    the bucket's TLS-only policy, since emulators speak plain HTTP (moto enforces the policy on object calls).
  EOT
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------------- streams
variable "stream_mode" {
  description = "ON_DEMAND or PROVISIONED for all three streams."
  type        = string
  default     = "ON_DEMAND"
}

variable "shard_count" {
  description = "Shards per stream when stream_mode is PROVISIONED."
  type        = number
  default     = 1
}

variable "stream_retention_hours" {
  description = "Stream retention in hours (24-8760)."
  type        = number
  default     = 24
}

# ---------------------------------------------------------------------------------------------------- model
variable "model_bucket_name" {
  description = "Bucket name; null derives <name>-<environment>-models-<account id>."
  type        = string
  default     = null
}

variable "model_prefix" {
  description = "Key prefix of model artifacts; the function may read only below it."
  type        = string
  default     = "models/"
  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+/$", var.model_prefix))
    error_message = "model_prefix must be one path segment ending in /, e.g. models/."
  }
}

variable "model_id" {
  description = "Model id; the artifact is s3://<bucket>/<model_prefix><model_id>/model.bin."
  type        = string
  default     = "stresslens-dreaddit"
}

variable "model_noncurrent_version_days" {
  description = "Days after which a replaced model version is deleted."
  type        = number
  default     = 90
}

variable "model_noncurrent_versions_kept" {
  description = "Replaced model versions kept regardless of age, for rollback (null: only the age rule)."
  type        = number
  default     = 3
}

variable "model_bucket_force_destroy" {
  description = "Let destroy remove a non-empty bucket (throwaway environments only)."
  type        = bool
  default     = false
}

variable "kms_deletion_window_days" {
  description = "Days a deleted stack key stays recoverable (7-30)."
  type        = number
  default     = 30
}

# ---------------------------------------------------------------------------------------------------- function
variable "enable_function" {
  description = "Create the function, its trigger and alarms (off for emulators that cannot run Lambda)."
  type        = bool
  default     = true
}

variable "lambda_zip" {
  description = "Deployment zip with the `bootstrap` executable (dist/stresslens-lambda.zip from make build-lambda)."
  type        = string
  default     = null
  validation {
    condition     = !var.enable_function || var.lambda_zip != null
    error_message = "lambda_zip is required when enable_function is true (run make build-lambda)."
  }
}

variable "lambda_architecture" {
  description = "arm64 or x86_64: must match the binary in lambda_zip (scripts/build-lambda.sh prints it)."
  type        = string
  default     = "arm64"
}

variable "lambda_memory_mb" {
  # Measured footprint of the function is about 64 MiB (runtime, SDK clients, the loaded forest); 128 MB
  # leaves 2x headroom. CPU share grows with memory, so raise it if scoring latency matters more than cost.
  description = "Function memory in MB."
  type        = number
  default     = 128
}

variable "lambda_timeout_seconds" {
  # A cold start (S3 GET + decode of the artifact) plus one batch of 100 posts and PutRecords retries fits well
  # within 30 s; the handler derives its retry budget from the remaining time.
  description = "Function timeout in seconds."
  type        = number
  default     = 30
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrent executions; null = unreserved."
  type        = number
  default     = null
}

variable "tracing_mode" {
  description = "X-Ray: PassThrough or Active."
  type        = string
  default     = "PassThrough"
}

variable "log_retention_days" {
  description = "Days the function's logs are kept."
  type        = number
  default     = 30
}

variable "log_level" {
  description = "RUST_LOG of the function."
  type        = string
  default     = "info"
}

variable "stress_threshold" {
  description = "STRESS_THRESHOLD override; null uses the threshold stored in the model artifact."
  type        = number
  default     = null
}

variable "max_text_bytes" {
  description = "MAX_TEXT_BYTES: posts longer than this are rejected."
  type        = number
  default     = 65536
}

# ---------------------------------------------------------------------------------------------------- trigger
variable "trigger_starting_position" {
  description = "LATEST or TRIM_HORIZON."
  type        = string
  default     = "LATEST"
}

variable "trigger_batch_size" {
  description = "Records per invocation."
  type        = number
  default     = 100
}

variable "trigger_batching_window_seconds" {
  description = "Seconds to wait for a fuller batch."
  type        = number
  default     = 1
}

variable "trigger_parallelization_factor" {
  description = "Concurrent batches per shard (1-10)."
  type        = number
  default     = 1
}

variable "trigger_maximum_retry_attempts" {
  description = "Retries of a failing batch before it goes to the failure queue."
  type        = number
  default     = 5
}

variable "trigger_maximum_record_age_seconds" {
  description = "Records older than this go to the failure queue."
  type        = number
  default     = 3600
}

# ---------------------------------------------------------------------------------------------------- alarms
variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified by the alarms."
  type        = list(string)
  default     = []
}

variable "alarm_iterator_age_ms" {
  description = "Iterator age (ms) that raises the alarm."
  type        = number
  default     = 60000
}

variable "alarm_rejected_records" {
  description = "Rejected records per 5 minutes that raise the alarm."
  type        = number
  default     = 10
}
