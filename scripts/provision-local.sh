#!/usr/bin/env bash
# Provisions the running local stack: `terraform apply` of infra/envs/local (function part off: the local Lambda
# harness runs the binary), then uploads the model to the bucket. Writes the Terraform outputs to
# .stack/outputs.json. Usage: scripts/provision-local.sh [MODEL_FILE]   (default models/stresslens-dreaddit.bin)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/local-aws.sh
source "$ROOT/scripts/lib/local-aws.sh"
# shellcheck source=scripts/lib/terraform.sh
source "$ROOT/scripts/lib/terraform.sh"

MODEL_FILE=${1:-$ROOT/models/stresslens-dreaddit.bin}
ENV_DIR=$ROOT/infra/envs/local
# The stack keeps no state across restarts, so neither does this Terraform state: it lives beside the stack's.
STATE=$STACK_DIR/terraform/terraform.tfstate
OUTPUTS=$STACK_DIR/outputs.json

tf_offline_env "$ROOT/.cache/terraform"
# Our own data dir, so that this never races with infra checks that init the same folder.
export TF_DATA_DIR=$ROOT/.cache/terraform/envs-local-stack
mkdir -p "$(dirname "$STATE")"

started=$SECONDS
echo "provision: applying infra/envs/local with Terraform (about a minute: streams, bucket, queues, keys)"
terraform -chdir="$ENV_DIR" init -input=false -no-color -backend-config="path=$STATE" -reconfigure >"$STACK_DIR/terraform-init.log" \
  || { cat "$STACK_DIR/terraform-init.log" >&2; exit 1; }
if ! terraform -chdir="$ENV_DIR" apply -input=false -no-color -auto-approve \
  -var "aws_endpoint_url=$AWS_ENDPOINT_URL" -var "region=$AWS_REGION" -var enable_function=false \
  >"$STACK_DIR/terraform-apply.log" 2>&1; then
  echo "provision: terraform apply failed; last lines of $STACK_DIR/terraform-apply.log:" >&2
  tail -n 40 "$STACK_DIR/terraform-apply.log" >&2
  exit 1
fi
terraform -chdir="$ENV_DIR" output -json >"$OUTPUTS"
echo "provision: infra/envs/local applied in $((SECONDS - started))s (outputs in $OUTPUTS)"

output() { jq -er ".$1.value" "$OUTPUTS"; }
bucket=$(output model_bucket)
key=$(output model_key)
if [[ ! -f $MODEL_FILE ]]; then
  echo "provision: no model file at $MODEL_FILE (make model writes it)" >&2
  exit 1
fi
aws_cli s3 cp --only-show-errors "$MODEL_FILE" "s3://$bucket/$key"
echo "provision: model uploaded to s3://$bucket/$key"
