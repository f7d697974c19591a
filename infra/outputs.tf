output "input_stream_name" {
  description = "Stream that receives posts."
  value       = module.streams.input_name
}

output "input_stream_arn" {
  description = "ARN of the input stream."
  value       = module.streams.input_arn
}

output "predictions_stream_name" {
  description = "Stream that receives predictions."
  value       = module.streams.predictions_name
}

output "predictions_stream_arn" {
  description = "ARN of the predictions stream."
  value       = module.streams.predictions_arn
}

output "rejects_stream_name" {
  description = "Stream that receives rejected records."
  value       = module.streams.rejects_name
}

output "rejects_stream_arn" {
  description = "ARN of the rejects stream."
  value       = module.streams.rejects_arn
}

output "model_bucket" {
  description = "Bucket holding model artifacts."
  value       = module.model_bucket.name
}

output "model_key" {
  description = "Key of the model artifact the function loads."
  value       = local.model_key
}

output "model_uri" {
  description = "MODEL_URI of the function."
  value       = local.function_environment.MODEL_URI
}

output "failure_queue_url" {
  description = "URL of the trigger's on-failure SQS queue."
  value       = module.failure_queue.url
}

output "failure_queue_arn" {
  description = "ARN of the trigger's on-failure SQS queue."
  value       = module.failure_queue.arn
}

output "kms_key_arn" {
  description = "The stack's customer-managed key."
  value       = module.kms.key_arn
}

output "role_arn" {
  description = "The function's execution role."
  value       = module.iam.role_arn
}

output "function_name" {
  description = "Function name (null when enable_function is false)."
  value       = var.enable_function ? module.function[0].name : null
}

output "function_arn" {
  description = "Function ARN (null when enable_function is false)."
  value       = var.enable_function ? module.function[0].arn : null
}

output "function_environment" {
  description = "The function's environment, also for running the binary locally against the same resources."
  value       = local.function_environment
}
