# The stack on a local AWS emulator (LocalStack on 127.0.0.1:4566 or moto server on 127.0.0.1:5000).
# LocalStack without Docker cannot run Lambda, so the function, trigger and alarms are off by default; the local
# stack runs the real binary itself against these streams, bucket and queue (see docs/infra.md).

terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 5.100.0"
    }
  }

  # State path chosen at init: terraform init -backend-config=path=<file> (default terraform.tfstate here).
  backend "local" {}
}

provider "aws" {
  region = var.region

  # Emulator-only dummy credentials: the emulators accept any key.
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    cloudwatch = var.aws_endpoint_url
    iam        = var.aws_endpoint_url
    kinesis    = var.aws_endpoint_url
    kms        = var.aws_endpoint_url
    lambda     = var.aws_endpoint_url
    logs       = var.aws_endpoint_url
    s3         = var.aws_endpoint_url
    sqs        = var.aws_endpoint_url
    sts        = var.aws_endpoint_url
  }
}

module "stresslens" {
  source = "../.."

  environment                = var.environment
  enable_function            = var.enable_function
  lambda_zip                 = var.lambda_zip
  lambda_architecture        = var.lambda_architecture
  trigger_starting_position  = "TRIM_HORIZON"
  model_bucket_force_destroy = true
  kms_deletion_window_days   = 7
  # Work around what the emulators do not store, so that a second plan shows no changes (docs/infra.md).
  emulator_compatible = true
}
