#!/usr/bin/env bash
# `make integration`: the tests against the local AWS stack (tests/). Builds the release binaries, starts the stack
# unless one runs already, provisions it with Terraform (infra/envs/local) and uploads the model, runs pytest, and
# stops what it started. Extra arguments go to pytest (e.g. -k kpl).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/local-aws.sh
source scripts/lib/local-aws.sh
CARGO=${CARGO:-cargo}
INTEGRATION_TIMEOUT_S=${INTEGRATION_TIMEOUT_S:-1500}
MODEL_FILE=${MODEL:-$ROOT/models/stresslens-dreaddit.bin}
[[ $MODEL_FILE == /* ]] || MODEL_FILE=$ROOT/$MODEL_FILE

started_stack=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((started_stack)); then scripts/stack.sh down || true; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

scripts/deps.sh
echo "integration: building release binaries"
$CARGO build --release --locked -p stresslens-cli -p stresslens-lambda

if scripts/stack.sh status >/dev/null 2>&1; then
  echo "integration: using the local stack that is already running"
else
  started_stack=1
  scripts/stack.sh up
fi
scripts/provision-local.sh "$MODEL_FILE"

LOCAL_ACCOUNT_ID=$(local_account_id)
export LOCAL_ACCOUNT_ID
export STACK_OUTPUTS=$STACK_DIR/outputs.json STRESSLENS_MODEL=$MODEL_FILE
timeout --signal=INT "$INTEGRATION_TIMEOUT_S" \
  "$TESTS_VENV/bin/python" -m pytest -p no:cacheprovider -q -ra --durations=10 tests "$@"
