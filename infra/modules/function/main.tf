# The stresslens-lambda function (custom runtime, `bootstrap` in a zip) and its log group.

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The function talks only to regional AWS endpoints (Kinesis, S3, SQS); a VPC would add NAT or endpoints and cold-start cost for no isolation gain.
  #checkov:skip=CKV_AWS_116:A DLQ only covers asynchronous invocations; this function is invoked synchronously by the Kinesis event source mapping, whose on-failure destination (SQS) is configured in the trigger module.
  #checkov:skip=CKV_AWS_272:Code signing needs an AWS Signer profile outside this stack; the zip's integrity is pinned by source_code_hash.
  function_name                  = var.function_name
  description                    = "stresslens: score posts from Kinesis for stress"
  role                           = var.role_arn
  runtime                        = "provided.al2023"
  handler                        = "bootstrap"
  architectures                  = [var.architecture]
  filename                       = var.zip_path
  source_code_hash               = filebase64sha256(var.zip_path)
  memory_size                    = var.memory_mb
  timeout                        = var.timeout_seconds
  reserved_concurrent_executions = var.reserved_concurrency
  kms_key_arn                    = var.environment_uses_cmk ? var.kms_key_arn : null

  environment {
    variables = var.environment
  }

  tracing_config {
    mode = var.tracing_mode
  }

  tags = var.tags

  # The log group must exist (with retention and encryption) before Lambda would create a default one.
  depends_on = [aws_cloudwatch_log_group.this]
}
