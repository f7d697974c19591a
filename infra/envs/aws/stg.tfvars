# Staging: small and cheap, short log retention, starts from the oldest record so test posts are never missed.
region                     = "eu-west-1"
environment                = "stg"
stream_mode                = "ON_DEMAND"
stream_retention_hours     = 24
lambda_memory_mb           = 128
lambda_timeout_seconds     = 30
log_retention_days         = 14
trigger_starting_position  = "TRIM_HORIZON"
model_bucket_force_destroy = true
tags                       = { owner = "stresslens-team", cost-center = "stresslens-stg" }
