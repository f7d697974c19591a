# The settings that differ between environments; everything else keeps the stack's defaults (infra/variables.tf,
# where each one is described).

variable "region" {
  description = "AWS region."
  type        = string
}

variable "environment" {
  description = "Environment name: stg, prod..."
  type        = string
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "lambda_zip" {
  description = "Deployment zip (dist/stresslens-lambda.zip from make build-lambda)."
  type        = string
}

variable "lambda_architecture" {
  description = "arm64 or x86_64, matching the zip."
  type        = string
  default     = "arm64"
}

variable "stream_mode" {
  description = "ON_DEMAND or PROVISIONED."
  type        = string
  default     = "ON_DEMAND"
}

variable "shard_count" {
  description = "Shards per stream when PROVISIONED."
  type        = number
  default     = 1
}

variable "stream_retention_hours" {
  description = "Stream retention in hours."
  type        = number
  default     = 24
}

variable "model_id" {
  description = "Model id (s3://<bucket>/models/<model_id>/model.bin)."
  type        = string
  default     = "stresslens-dreaddit"
}

variable "model_bucket_force_destroy" {
  description = "Let destroy delete the model bucket with every model version in it."
  type        = bool
  default     = false
}

variable "lambda_memory_mb" {
  description = "Function memory in MB."
  type        = number
  default     = 128
}

variable "lambda_timeout_seconds" {
  description = "Function timeout in seconds."
  type        = number
  default     = 30
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency; null = unreserved."
  type        = number
  default     = null
}

variable "tracing_mode" {
  description = "PassThrough or Active."
  type        = string
  default     = "PassThrough"
}

variable "log_retention_days" {
  description = "Days the function's logs are kept."
  type        = number
  default     = 30
}

variable "stress_threshold" {
  description = "STRESS_THRESHOLD override; null = the artifact's."
  type        = number
  default     = null
}

variable "trigger_batch_size" {
  description = "Records per invocation."
  type        = number
  default     = 100
}

variable "trigger_parallelization_factor" {
  description = "Concurrent batches per shard."
  type        = number
  default     = 1
}

variable "trigger_starting_position" {
  description = "LATEST or TRIM_HORIZON."
  type        = string
  default     = "LATEST"
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified by the alarms."
  type        = list(string)
  default     = []
}

variable "emulator_compatible" {
  description = "Only for rehearsing deploy.sh on an emulator (AWS_ENDPOINT_URL + TF_VAR_emulator_compatible=true); see infra/variables.tf."
  type        = bool
  default     = false
}
