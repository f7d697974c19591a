# Production: predictable throughput (provisioned shards), a week of replay, more CPU per invocation, tracing,
# a concurrency cap, and longer logs. Set alarm_actions to the on-call SNS topic.
region                         = "eu-west-1"
environment                    = "prod"
stream_mode                    = "PROVISIONED"
shard_count                    = 2
stream_retention_hours         = 168
lambda_memory_mb               = 256
lambda_timeout_seconds         = 30
lambda_reserved_concurrency    = 20
tracing_mode                   = "Active"
log_retention_days             = 90
trigger_parallelization_factor = 2
trigger_starting_position      = "LATEST"
alarm_actions                  = []
tags                           = { owner = "stresslens-team", cost-center = "stresslens-prod" }
