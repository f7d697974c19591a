variable "role_name" {
  description = "Name of the execution role."
  type        = string
}

variable "function_name" {
  description = "Name of the function (its log group is /aws/lambda/<name>)."
  type        = string
}

variable "input_stream_arn" {
  description = "Stream the trigger reads."
  type        = string
}

variable "output_stream_arns" {
  description = "Streams the function writes (predictions, rejects)."
  type        = list(string)
}

variable "model_bucket_arn" {
  description = "Bucket holding model artifacts."
  type        = string
}

variable "model_prefix" {
  description = "Key prefix the function may read, e.g. models/."
  type        = string
}

variable "failure_queue_arn" {
  description = "The trigger's on-failure destination."
  type        = string
}

variable "kms_key_arn" {
  description = "The stack key encrypting streams, bucket and queue."
  type        = string
}

variable "enable_xray" {
  description = "Grant the X-Ray write actions (when tracing is Active)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
