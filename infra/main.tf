# The stresslens stack: streams, model bucket, failure queue and key always; the function, its trigger and
# alarms when enable_function is true (emulators that cannot run Lambda turn it off).
#
# This module has no provider block: an environment under envs/ configures the provider (real AWS or an
# emulator) and calls it. See docs/infra.md.

data "aws_caller_identity" "current" {}

locals {
  name_prefix   = "${var.name}-${var.environment}"
  function_name = "${local.name_prefix}-scorer"
  bucket_name   = coalesce(var.model_bucket_name, "${local.name_prefix}-models-${data.aws_caller_identity.current.account_id}")
  model_key     = "${var.model_prefix}${var.model_id}/model.bin"
  tags          = merge({ project = var.name, environment = var.environment }, var.tags)

  # The function's configuration contract (DESIGN.md, Configuration). STRESS_THRESHOLD is set only to override
  # the artifact's own threshold.
  function_environment = merge(
    {
      MODEL_URI          = "s3://${module.model_bucket.name}/${local.model_key}"
      PREDICTIONS_STREAM = module.streams.predictions_name
      REJECTS_STREAM     = module.streams.rejects_name
      MAX_TEXT_BYTES     = tostring(var.max_text_bytes)
      RUST_LOG           = var.log_level
    },
    var.stress_threshold == null ? {} : { STRESS_THRESHOLD = tostring(var.stress_threshold) },
  )
}

module "kms" {
  source                  = "./modules/kms"
  name_prefix             = local.name_prefix
  log_group_name          = "/aws/lambda/${local.function_name}"
  deletion_window_in_days = var.kms_deletion_window_days
  tags                    = local.tags
}

module "streams" {
  source          = "./modules/streams"
  name_prefix     = local.name_prefix
  stream_mode     = var.stream_mode
  shard_count     = var.shard_count
  retention_hours = var.stream_retention_hours
  kms_key_arn     = module.kms.key_arn
  tags            = var.emulator_compatible ? {} : local.tags
}

module "model_bucket" {
  source                   = "./modules/model_bucket"
  bucket_name              = local.bucket_name
  model_prefix             = var.model_prefix
  kms_key_arn              = module.kms.key_arn
  noncurrent_version_days  = var.model_noncurrent_version_days
  noncurrent_versions_kept = var.emulator_compatible ? null : var.model_noncurrent_versions_kept
  force_destroy            = var.model_bucket_force_destroy
  require_tls              = !var.emulator_compatible
  tags                     = local.tags
}

module "failure_queue" {
  source      = "./modules/failure_queue"
  queue_name  = "${local.name_prefix}-trigger-failures"
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
}

module "iam" {
  source             = "./modules/iam"
  role_name          = "${local.function_name}-role"
  function_name      = local.function_name
  input_stream_arn   = module.streams.input_arn
  output_stream_arns = [module.streams.predictions_arn, module.streams.rejects_arn]
  model_bucket_arn   = module.model_bucket.arn
  model_prefix       = var.model_prefix
  failure_queue_arn  = module.failure_queue.arn
  kms_key_arn        = module.kms.key_arn
  enable_xray        = var.tracing_mode == "Active"
  tags               = local.tags
}

module "function" {
  source               = "./modules/function"
  count                = var.enable_function ? 1 : 0
  function_name        = local.function_name
  role_arn             = module.iam.role_arn
  zip_path             = var.lambda_zip
  architecture         = var.lambda_architecture
  memory_mb            = var.lambda_memory_mb
  timeout_seconds      = var.lambda_timeout_seconds
  reserved_concurrency = var.lambda_reserved_concurrency
  tracing_mode         = var.tracing_mode
  environment          = local.function_environment
  kms_key_arn          = module.kms.key_arn
  environment_uses_cmk = !var.emulator_compatible
  log_retention_days   = var.log_retention_days
  tags                 = local.tags
}

module "trigger" {
  source                     = "./modules/trigger"
  count                      = var.enable_function ? 1 : 0
  function_name              = module.function[0].arn
  input_stream_arn           = module.streams.input_arn
  failure_queue_arn          = module.failure_queue.arn
  starting_position          = var.trigger_starting_position
  batch_size                 = var.trigger_batch_size
  batching_window_seconds    = var.trigger_batching_window_seconds
  parallelization_factor     = var.trigger_parallelization_factor
  maximum_retry_attempts     = var.trigger_maximum_retry_attempts
  maximum_record_age_seconds = var.trigger_maximum_record_age_seconds
  # The role's policy must be in place before Lambda validates the mapping's access to the stream.
  depends_on = [module.iam]
}

module "alarms" {
  source                    = "./modules/alarms"
  count                     = var.enable_function ? 1 : 0
  function_name             = module.function[0].name
  alarm_actions             = var.alarm_actions
  iterator_age_threshold_ms = var.alarm_iterator_age_ms
  rejected_threshold        = var.alarm_rejected_records
  tags                      = local.tags
}
