variable "bucket_name" {
  description = "Globally unique bucket name."
  type        = string
}

variable "model_prefix" {
  description = "Key prefix under which model artifacts live (the function may read only this prefix)."
  type        = string
  default     = "models/"
}

variable "kms_key_arn" {
  description = "Customer-managed key for default encryption."
  type        = string
}

variable "noncurrent_version_days" {
  description = "Days after which a replaced model version is deleted."
  type        = number
  default     = 90
}

variable "noncurrent_versions_kept" {
  description = "Replaced model versions kept regardless of age (for rollback); null keeps none beyond the age rule."
  type        = number
  default     = 3
}

variable "require_tls" {
  description = "Deny every request that is not TLS 1.2+ (false only for plain-HTTP emulators)."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let destroy delete a bucket that still holds objects (for throwaway environments only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the bucket."
  type        = map(string)
  default     = {}
}
