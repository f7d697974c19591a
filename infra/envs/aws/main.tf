# The stack on real AWS. One state per environment through workspaces (scripts/deploy.sh selects the workspace
# named after ENV and passes <ENV>.tfvars). Credentials and account come from the usual AWS sources
# (AWS_PROFILE, SSO, instance role...). For shared state add a backend "s3" block in backend_override.tf.

terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 5.100.0"
    }
  }
}

provider "aws" {
  region = var.region
}

module "stresslens" {
  source = "../.."

  environment                    = var.environment
  tags                           = var.tags
  stream_mode                    = var.stream_mode
  shard_count                    = var.shard_count
  stream_retention_hours         = var.stream_retention_hours
  model_id                       = var.model_id
  model_bucket_force_destroy     = var.model_bucket_force_destroy
  enable_function                = true
  lambda_zip                     = var.lambda_zip
  lambda_architecture            = var.lambda_architecture
  lambda_memory_mb               = var.lambda_memory_mb
  lambda_timeout_seconds         = var.lambda_timeout_seconds
  lambda_reserved_concurrency    = var.lambda_reserved_concurrency
  tracing_mode                   = var.tracing_mode
  log_retention_days             = var.log_retention_days
  stress_threshold               = var.stress_threshold
  trigger_batch_size             = var.trigger_batch_size
  trigger_parallelization_factor = var.trigger_parallelization_factor
  trigger_starting_position      = var.trigger_starting_position
  alarm_actions                  = var.alarm_actions
  emulator_compatible            = var.emulator_compatible
}
