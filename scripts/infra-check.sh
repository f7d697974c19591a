#!/usr/bin/env bash
# Offline infrastructure checks (make infra-check, part of make test):
#   terraform fmt -check; init (from the local provider mirror) + validate of infra/ and every env root;
#   cfn-lint template.yaml; checkov over infra/ and template.yaml;
#   then a real apply of infra/envs/local WITH the function and trigger against a moto server on 127.0.0.1
#   (started here, stopped on exit), a second plan that must show no changes, and destroy.
# Each step prints its time; logs of the run are in $INFRA_CHECK_LOGS (default a temp dir, removed on success).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=lib/terraform.sh
source scripts/lib/terraform.sh
# shellcheck source=lib/venv.sh
source scripts/lib/venv.sh

MOTO_VERSION=5.2.1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stresslens-infra-check.XXXXXX")
LOGS=${INFRA_CHECK_LOGS:-$WORK/logs}
mkdir -p "$LOGS"
MOTO_PID=""
ROUND_TRIP_PID=""
RESULTS=$WORK/results
: >"$RESULTS"

cleanup() {
  local rc=$?
  if [[ -n $ROUND_TRIP_PID ]] && kill -0 "$ROUND_TRIP_PID" 2>/dev/null; then
    pkill -P "$ROUND_TRIP_PID" 2>/dev/null || true
    kill "$ROUND_TRIP_PID" 2>/dev/null || true
  fi
  if [[ -n $MOTO_PID ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
  # The work dir (state, Terraform data dirs, default logs) goes unless it holds the logs of a failed run.
  if [[ -n ${INFRA_CHECK_LOGS:-} || $rc -eq 0 ]]; then
    rm -rf "$WORK"
  fi
  [[ $rc -eq 0 && -z ${INFRA_CHECK_LOGS:-} ]] || echo "infra-check: logs kept in $LOGS" >&2
}
trap cleanup EXIT

# step NAME CMD...: run CMD with its output in $LOGS/NAME.log, print its time and record the result; on failure
# show the log's tail and return 1.
step() {
  local name=$1 started=$SECONDS
  shift
  if "$@" >"$LOGS/$name.log" 2>&1; then
    echo "ok $name" >>"$RESULTS"
    printf 'infra-check: %-28s ok   %4ds\n' "$name" $((SECONDS - started))
  else
    echo "FAIL $name" >>"$RESULTS"
    printf 'infra-check: %-28s FAIL %4ds\n' "$name" $((SECONDS - started))
    tail -n 60 "$LOGS/$name.log" >&2
    return 1
  fi
}

summary() {
  echo "infra-check: $(grep -c '^ok ' "$RESULTS") passed, $(grep -c '^FAIL ' "$RESULTS") failed"
}

# --------------------------------------------------------------------------------------------- tools
tf_offline_env "$WORK/terraform"
ensure_venv .venv-checkov "$(python_at 3.11)" requirements/checkov.txt
PY=$(python_at 3.11)
if ! "$PY" -c 'import moto.server, flask' 2>/dev/null; then
  echo "infra-check: installing moto[server]==$MOTO_VERSION into $PY" >&2
  "$PY" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

# terraform init + validate of one root, with a private data dir (no .terraform/ in the tree, no races with
# other users of the same folder, e.g. scripts/provision-local.sh).
tf_init_validate() {
  local dir=$1 data
  data="$WORK/data/${dir//\//_}"
  local lockfile=()
  # Never rewrite a lock file another init of this run may be reading.
  [[ -f $dir/.terraform.lock.hcl ]] && lockfile=(-lockfile=readonly)
  TF_DATA_DIR=$data terraform -chdir="$dir" init -input=false -no-color -backend=false "${lockfile[@]}" &&
    TF_DATA_DIR=$data terraform -chdir="$dir" validate -no-color
}

# --------------------------------------------------------------------------------------------- moto round trip
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
PORT=$(free_port)
ENDPOINT=http://127.0.0.1:$PORT
"$PY" -m moto.server -H 127.0.0.1 -p "$PORT" >"$LOGS/moto.log" 2>&1 &
MOTO_PID=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$ENDPOINT/moto-api/" 2>/dev/null && break
  kill -0 "$MOTO_PID" 2>/dev/null || { echo "infra-check: moto server died:" >&2; cat "$LOGS/moto.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS -o /dev/null "$ENDPOINT/moto-api/" || { echo "infra-check: moto server not ready on $ENDPOINT" >&2; exit 1; }

# moto stores the function but never runs it, so a placeholder `bootstrap` is enough here and the check needs no
# release build (the real zip comes from scripts/build-lambda.sh).
mkdir -p "$WORK/zip"
"$PY" - "$WORK/zip/placeholder.zip" <<'PY'
import sys, zipfile
info = zipfile.ZipInfo("bootstrap")
info.external_attr = 0o755 << 16
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr(info, "#!/bin/sh\necho placeholder: moto never runs this\n")
PY

LOCAL=infra/envs/local
export TF_DATA_DIR=$WORK/data/moto
TF_VARS=(-var "aws_endpoint_url=$ENDPOINT" -var enable_function=true -var "lambda_zip=$WORK/zip/placeholder.zip")

# What the apply produced, read back from the emulator: names from the outputs and the trigger's settings.
verify_moto_stack() {
  terraform -chdir="$LOCAL" output -json >"$WORK/outputs.json"
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
    "$PY" - "$WORK/outputs.json" "$ENDPOINT" <<'PY'
import json, sys
import boto3

outputs = {k: v["value"] for k, v in json.load(open(sys.argv[1])).items()}
endpoint = sys.argv[2]
expected = {
    "input_stream_name": "stresslens-local-input",
    "predictions_stream_name": "stresslens-local-predictions",
    "rejects_stream_name": "stresslens-local-rejects",
    "function_name": "stresslens-local-scorer",
    "model_key": "models/stresslens-dreaddit/model.bin",
}
for key, want in expected.items():
    assert outputs[key] == want, f"output {key}: {outputs[key]!r} != {want!r}"
lam = boto3.client("lambda", endpoint_url=endpoint)
fn = lam.get_function_configuration(FunctionName=outputs["function_name"])
assert fn["Runtime"] == "provided.al2023" and fn["Handler"] == "bootstrap", fn
assert fn["MemorySize"] == 128 and fn["Timeout"] == 30, fn
env = fn["Environment"]["Variables"]
assert env == outputs["function_environment"], (env, outputs["function_environment"])
assert env["MODEL_URI"] == f"s3://{outputs['model_bucket']}/models/stresslens-dreaddit/model.bin", env
# moto ignores the FunctionName filter of ListEventSourceMappings: filter here.
mappings = [m for m in lam.list_event_source_mappings()["EventSourceMappings"] if m["FunctionArn"] == fn["FunctionArn"]]
assert len(mappings) == 1, mappings
esm = mappings[0]
assert esm["EventSourceArn"] == outputs["input_stream_arn"], esm
assert esm["FunctionResponseTypes"] == ["ReportBatchItemFailures"], esm
assert esm["BisectBatchOnFunctionError"] is True, esm
assert esm["DestinationConfig"]["OnFailure"]["Destination"] == outputs["failure_queue_arn"], esm
kinesis = boto3.client("kinesis", endpoint_url=endpoint)
for name in ("input", "predictions", "rejects"):
    desc = kinesis.describe_stream_summary(StreamName=outputs[f"{name}_stream_name"])["StreamDescriptionSummary"]
    assert desc["EncryptionType"] == "KMS", desc
s3 = boto3.client("s3", endpoint_url=endpoint)
pab = s3.get_public_access_block(Bucket=outputs["model_bucket"])["PublicAccessBlockConfiguration"]
assert all(pab.values()), pab
assert s3.get_bucket_versioning(Bucket=outputs["model_bucket"])["Status"] == "Enabled"
print("verified:", ", ".join(sorted(expected)), "+ function, trigger, stream encryption, bucket settings")
PY
}

# The round trip: apply, read back, a plan that must show no changes, destroy.
moto_round_trip() {
  step "moto-apply" terraform -chdir="$LOCAL" apply -input=false -no-color -auto-approve "${TF_VARS[@]}" &&
    step "moto-verify" verify_moto_stack &&
    # -detailed-exitcode: 0 = no changes, 2 = changes (a failure here), 1 = error.
    step "moto-plan-no-changes" terraform -chdir="$LOCAL" plan -input=false -no-color -detailed-exitcode "${TF_VARS[@]}" &&
    step "moto-destroy" terraform -chdir="$LOCAL" destroy -input=false -no-color -auto-approve "${TF_VARS[@]}"
}

# Init first and alone: it writes infra/envs/local/.terraform.lock.hcl, which the validate step only reads.
step "moto-init" terraform -chdir="$LOCAL" init -input=false -no-color -backend-config="path=$WORK/moto.tfstate" ||
  { summary; exit 1; }

# The round trip waits on the emulator most of the time (streams take ~30 s to become ACTIVE), so the static
# checks run meanwhile.
moto_round_trip &
ROUND_TRIP_PID=$!

# --------------------------------------------------------------------------------------------- static checks
static_ok=true
step "terraform-fmt" terraform fmt -check -recursive -diff infra || static_ok=false
step "terraform-validate-root" tf_init_validate infra || static_ok=false
step "terraform-validate-local" tf_init_validate infra/envs/local || static_ok=false
step "terraform-validate-aws" tf_init_validate infra/envs/aws || static_ok=false
step "cfn-lint" .venv-checkov/bin/cfn-lint template.yaml || static_ok=false
# --skip-download: checkov otherwise calls a remote API for its policy updates.
step "checkov-terraform" .venv-checkov/bin/checkov -d infra --framework terraform --skip-download --quiet --compact || static_ok=false
step "checkov-cloudformation" .venv-checkov/bin/checkov -f template.yaml --framework cloudformation --skip-download --quiet --compact || static_ok=false

round_trip_ok=true
wait "$ROUND_TRIP_PID" || round_trip_ok=false
ROUND_TRIP_PID=""
summary
[[ $static_ok == true && $round_trip_ok == true ]]

