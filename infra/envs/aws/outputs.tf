output "input_stream_name" {
  description = "Stream that receives posts."
  value       = module.stresslens.input_stream_name
}

output "input_stream_arn" {
  description = "ARN of the input stream."
  value       = module.stresslens.input_stream_arn
}

output "predictions_stream_name" {
  description = "Stream that receives predictions."
  value       = module.stresslens.predictions_stream_name
}

output "predictions_stream_arn" {
  description = "ARN of the predictions stream."
  value       = module.stresslens.predictions_stream_arn
}

output "rejects_stream_name" {
  description = "Stream that receives rejected records."
  value       = module.stresslens.rejects_stream_name
}

output "rejects_stream_arn" {
  description = "ARN of the rejects stream."
  value       = module.stresslens.rejects_stream_arn
}

output "model_bucket" {
  description = "Bucket holding model artifacts."
  value       = module.stresslens.model_bucket
}

output "model_key" {
  description = "Key of the model artifact."
  value       = module.stresslens.model_key
}

output "model_uri" {
  description = "MODEL_URI of the function."
  value       = module.stresslens.model_uri
}

output "failure_queue_url" {
  description = "URL of the trigger's on-failure SQS queue."
  value       = module.stresslens.failure_queue_url
}

output "failure_queue_arn" {
  description = "ARN of the trigger's on-failure SQS queue."
  value       = module.stresslens.failure_queue_arn
}

output "function_name" {
  description = "Function name (null when enable_function is false)."
  value       = module.stresslens.function_name
}

output "function_environment" {
  description = "The function's environment variables."
  value       = module.stresslens.function_environment
}

output "function_arn" {
  description = "Function ARN."
  value       = module.stresslens.function_arn
}

output "kms_key_arn" {
  description = "The stack's customer-managed key."
  value       = module.stresslens.kms_key_arn
}

output "role_arn" {
  description = "The function's execution role (for cargo lambda deploy --iam-role)."
  value       = module.stresslens.role_arn
}
