output "uuid" {
  description = "Event source mapping id."
  value       = aws_lambda_event_source_mapping.this.uuid
}
