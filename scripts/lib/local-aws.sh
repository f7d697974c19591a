# shellcheck shell=bash
# Settings shared by the scripts that talk to the local AWS stack (stack.sh, demo.sh, integration.sh).
# Everything binds to and talks to 127.0.0.1 only.
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
STACK_DIR=${STACK_DIR:-$ROOT/.stack}
STACK_PORT=${STACK_PORT:-4566}
LOCAL_AWS=${LOCAL_AWS:-localstack}
LOCALSTACK_VENV=${LOCALSTACK_VENV:-$ROOT/.venv-localstack}
TESTS_VENV=${TESTS_VENV:-$ROOT/.venv-tests}

export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:$STACK_PORT}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_REGION=${AWS_REGION:-us-east-1}
export AWS_DEFAULT_REGION=$AWS_REGION
# Never read the developer's real profile or the instance metadata service.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN

# The account id each emulator uses for ARNs.
local_account_id() {
  if [[ $LOCAL_AWS == moto ]]; then echo 123456789012; else echo 000000000000; fi
}

# aws_cli ARGS...: awscli from the LocalStack venv (exact lock), else the system one.
aws_cli() {
  if [[ -x $LOCALSTACK_VENV/bin/aws ]]; then "$LOCALSTACK_VENV/bin/aws" "$@"; else aws "$@"; fi
}
