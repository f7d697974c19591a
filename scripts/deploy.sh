#!/usr/bin/env bash
# Deploy stresslens to real AWS with Terraform (infra/envs/aws), one workspace per environment.
#   ENV=stg|prod scripts/deploy.sh apply     terraform apply with dist/stresslens-lambda.zip, upload the model, print outputs
#   ENV=stg|prod scripts/deploy.sh destroy   terraform destroy
# make deploy / make destroy call this (make deploy builds the zip first). Credentials and account: the usual AWS
# sources (AWS_PROFILE, SSO, environment). Settings per environment: infra/envs/aws/<ENV>.tfvars.
# AUTO_APPROVE=1 skips Terraform's confirmation; MODEL=<file> overrides the model uploaded
# (default models/stresslens-dreaddit.bin).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=lib/terraform.sh
source scripts/lib/terraform.sh

ACTION=${1:-}
ENV=${ENV:-}
MODEL=${MODEL:-models/stresslens-dreaddit.bin}
ZIP=dist/stresslens-lambda.zip
ARCH_FILE=dist/stresslens-lambda.arch
ENV_DIR=infra/envs/aws
VAR_FILE=$ROOT/$ENV_DIR/$ENV.tfvars

usage() { echo "usage: ENV=stg|prod $0 apply|destroy" >&2; exit 2; }
[[ $ACTION == apply || $ACTION == destroy ]] || usage
[[ -n $ENV && -f $VAR_FILE ]] || { echo "deploy: ENV must name a file $ENV_DIR/<ENV>.tfvars (stg, prod)" >&2; usage; }
command -v aws >/dev/null || { echo "deploy: the aws CLI is needed (pip install awscli)" >&2; exit 1; }

# The local provider mirror when this machine has one (offline), the registry otherwise.
if tf_mirror_dir >/dev/null 2>&1; then
  tf_offline_env .cache/terraform
else
  [[ -n ${TF_CLI_CONFIG_FILE:-} && ! -f $TF_CLI_CONFIG_FILE ]] && unset TF_CLI_CONFIG_FILE
  export CHECKPOINT_DISABLE=1
fi
export TF_DATA_DIR=$ROOT/.cache/terraform/envs-aws

approve=()
[[ ${AUTO_APPROVE:-0} == 1 ]] && approve=(-auto-approve)

terraform -chdir="$ENV_DIR" init -input=false >/dev/null
terraform -chdir="$ENV_DIR" workspace select -or-create "$ENV"

if [[ $ACTION == destroy ]]; then
  # Terraform hashes the zip even to destroy the function: an empty placeholder will do if none was built.
  zip=$ROOT/$ZIP
  if [[ ! -f $zip ]]; then
    zip=$(mktemp --suffix=.zip)
    trap 'rm -f "$zip"' EXIT
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").close()' "$zip"
  fi
  terraform -chdir="$ENV_DIR" destroy "${approve[@]}" -var-file="$VAR_FILE" -var "lambda_zip=$zip"
  exit 0
fi

[[ -f $ZIP && -f $ARCH_FILE ]] || { echo "deploy: no $ZIP: run make build-lambda (scripts/build-lambda.sh)" >&2; exit 1; }
[[ -f $MODEL ]] || { echo "deploy: no model at $MODEL: run make model or set MODEL=<file>" >&2; exit 1; }
arch=$(cat "$ARCH_FILE")
echo "deploy: $ENV with $ZIP ($arch) and model $MODEL"

terraform -chdir="$ENV_DIR" apply "${approve[@]}" -var-file="$VAR_FILE" \
  -var "lambda_zip=$ROOT/$ZIP" -var "lambda_architecture=$arch"

bucket=$(terraform -chdir="$ENV_DIR" output -raw model_bucket)
key=$(terraform -chdir="$ENV_DIR" output -raw model_key)
region=$(sed -n 's/^region *= *"\(.*\)"/\1/p' "$VAR_FILE")
# The bucket's default encryption (the stack key) applies; only TLS reaches it (bucket policy).
aws s3 cp --only-show-errors --region "$region" "$MODEL" "s3://$bucket/$key"
echo "deploy: model uploaded to s3://$bucket/$key (new function instances load it on cold start)"
terraform -chdir="$ENV_DIR" output
