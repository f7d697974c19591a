variable "function_name" {
  description = "Function whose metrics are watched (the FunctionName dimension)."
  type        = string
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the function's EMF metrics."
  type        = string
  default     = "stresslens"
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified on ALARM and OK."
  type        = list(string)
  default     = []
}

variable "iterator_age_threshold_ms" {
  description = "Maximum iterator age (ms) tolerated for 5 consecutive minutes."
  type        = number
  default     = 60000
}

variable "errors_threshold" {
  description = "Function errors tolerated per 5 minutes."
  type        = number
  default     = 0
}

variable "throttles_threshold" {
  description = "Throttles tolerated per 5 minutes."
  type        = number
  default     = 0
}

variable "rejected_threshold" {
  description = "Rejected records tolerated per 5 minutes."
  type        = number
  default     = 10
}

variable "tags" {
  description = "Tags for the alarms."
  type        = map(string)
  default     = {}
}
