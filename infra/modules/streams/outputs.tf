output "input_name" {
  description = "Name of the input (posts) stream."
  value       = aws_kinesis_stream.this["input"].name
}

output "input_arn" {
  description = "ARN of the input (posts) stream."
  value       = aws_kinesis_stream.this["input"].arn
}

output "predictions_name" {
  description = "Name of the predictions stream."
  value       = aws_kinesis_stream.this["predictions"].name
}

output "predictions_arn" {
  description = "ARN of the predictions stream."
  value       = aws_kinesis_stream.this["predictions"].arn
}

output "rejects_name" {
  description = "Name of the rejected-records stream."
  value       = aws_kinesis_stream.this["rejects"].name
}

output "rejects_arn" {
  description = "ARN of the rejected-records stream."
  value       = aws_kinesis_stream.this["rejects"].arn
}
