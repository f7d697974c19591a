variable "queue_name" {
  description = "Queue name."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key for server-side encryption."
  type        = string
}

variable "message_retention_seconds" {
  description = "How long failure records are kept (max 14 days)."
  type        = number
  default     = 1209600
}

variable "tags" {
  description = "Tags for the queue."
  type        = map(string)
  default     = {}
}
