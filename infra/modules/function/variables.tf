variable "function_name" {
  description = "Function name."
  type        = string
}

variable "role_arn" {
  description = "Execution role."
  type        = string
}

variable "zip_path" {
  description = "Path of the deployment zip holding the `bootstrap` executable."
  type        = string
}

variable "architecture" {
  description = "arm64 (Graviton, default) or x86_64; must match the binary in the zip."
  type        = string
  default     = "arm64"
  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_mb" {
  description = "Memory in MB (CPU share grows with it)."
  type        = number
  default     = 128
}

variable "timeout_seconds" {
  description = "Invocation timeout in seconds."
  type        = number
  default     = 30
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; null leaves the function on the account's unreserved pool."
  type        = number
  default     = null
}

variable "tracing_mode" {
  description = "X-Ray tracing: PassThrough (off unless the caller samples) or Active."
  type        = string
  default     = "PassThrough"
  validation {
    condition     = contains(["PassThrough", "Active"], var.tracing_mode)
    error_message = "tracing_mode must be PassThrough or Active."
  }
}

variable "environment" {
  description = "Environment variables of the function (see DESIGN.md, Configuration)."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "Key that encrypts the environment variables and the log group."
  type        = string
}

variable "environment_uses_cmk" {
  description = "Encrypt the environment variables with kms_key_arn (false: Lambda's AWS-managed key)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Days the function's logs are kept."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for the function and its log group."
  type        = map(string)
  default     = {}
}
