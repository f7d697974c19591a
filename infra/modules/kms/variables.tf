variable "name_prefix" {
  description = "Prefix of every resource name, e.g. stresslens-prod."
  type        = string
}

variable "log_group_name" {
  description = "Name of the function's log group, which CloudWatch Logs encrypts with this key."
  type        = string
}

variable "deletion_window_in_days" {
  description = "Days a deleted key stays recoverable (7-30)."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}
