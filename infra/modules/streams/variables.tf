variable "name_prefix" {
  description = "Prefix of every resource name, e.g. stresslens-prod."
  type        = string
}

variable "stream_mode" {
  description = "ON_DEMAND (pay per use, scales by itself) or PROVISIONED (fixed shard_count)."
  type        = string
  default     = "ON_DEMAND"
  validation {
    condition     = contains(["ON_DEMAND", "PROVISIONED"], var.stream_mode)
    error_message = "stream_mode must be ON_DEMAND or PROVISIONED."
  }
}

variable "shard_count" {
  description = "Shards per stream when stream_mode is PROVISIONED (ignored otherwise)."
  type        = number
  default     = 1
}

variable "retention_hours" {
  description = "How long records stay readable (24-8760 hours)."
  type        = number
  default     = 24
  validation {
    condition     = var.retention_hours >= 24 && var.retention_hours <= 8760
    error_message = "retention_hours must be between 24 and 8760."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed key for server-side encryption."
  type        = string
}

variable "tags" {
  description = "Tags for the streams."
  type        = map(string)
  default     = {}
}
