#!/usr/bin/env bash
# The local AWS stack (Kinesis, S3, SQS, IAM, STS) on 127.0.0.1 without Docker.
#   scripts/stack.sh up      start it (LocalStack in host mode; LOCAL_AWS=moto for moto server) and wait for health
#   scripts/stack.sh down    stop it by the PID recorded at start
#   scripts/stack.sh status  say whether it runs
# State (pid, log, LocalStack's filesystem root) lives in .stack/ in the checkout.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/local-aws.sh
source "$ROOT/scripts/lib/local-aws.sh"
# shellcheck source=scripts/lib/venv.sh
source "$ROOT/scripts/lib/venv.sh"

PID_FILE=$STACK_DIR/stack.pid
KIND_FILE=$STACK_DIR/stack.kind
LOG_FILE=$STACK_DIR/stack.log
HEALTH_TIMEOUT_S=${HEALTH_TIMEOUT_S:-120}

running_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid; pid=$(cat "$PID_FILE")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

descendants_of() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants_of "$child"
  done
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$STACK_PORT") 2>/dev/null
}

start_localstack() {
  ensure_venv "$LOCALSTACK_VENV" "$(python_at 3.13 2>/dev/null || python_at 3.12)" "$ROOT/requirements/localstack.txt"
  mkdir -p "$STACK_DIR/localstack"
  # The settings LocalStack needs to run on the host, on loopback only, with its files in the checkout.
  (
    cd "$STACK_DIR"
    export OVERRIDE_IN_DOCKER=0 FILESYSTEM_ROOT="$STACK_DIR/localstack" \
      GATEWAY_LISTEN="127.0.0.1:$STACK_PORT" LOCALSTACK_HOST="127.0.0.1:$STACK_PORT" GATEWAY_SERVER=hypercorn \
      DNS_ADDRESS=0 DISABLE_EVENTS=1 SKIP_SSL_CERT_DOWNLOAD=1 \
      EAGER_SERVICE_LOADING=0 PERSISTENCE=0 LS_LOG=${LS_LOG:-info} \
      NODE_OPTIONS="--require $ROOT/scripts/lib/node-listen-loopback.cjs" \
      NPM_CONFIG_PREFER_OFFLINE=true NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
    # setsid: LocalStack and the kinesis-local Node process it spawns form one process group led by the PID we keep.
    exec setsid "$LOCALSTACK_VENV/bin/python" -m localstack.runtime.main
  ) >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
}

start_moto() {
  if ! python3 -c 'import moto.server' 2>/dev/null; then
    echo "stack: moto server is not installed in $(command -v python3) (scripts/deps.sh installs it)" >&2
    exit 1
  fi
  mkdir -p "$STACK_DIR"
  # One request at a time: moto's Kinesis loses records under concurrent PutRecords (see the script).
  (cd "$STACK_DIR" && exec setsid python3 "$ROOT/scripts/lib/moto_serial_server.py" 127.0.0.1 "$STACK_PORT") \
    >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
}

# A Kinesis call right away: LocalStack starts kinesis-local on first use (npm install on a cold cache), so the
# first real client does not pay for it inside its own time-outs.
warm_up() {
  local py=python3
  [[ -x $LOCALSTACK_VENV/bin/python ]] && py=$LOCALSTACK_VENV/bin/python
  "$py" - <<'EOF'
import boto3, botocore.config, os, sys
cfg = botocore.config.Config(retries={"max_attempts": 2}, read_timeout=120, connect_timeout=5)
for service, call in (("kinesis", "list_streams"), ("s3", "list_buckets"), ("sqs", "list_queues")):
    try:
        getattr(boto3.client(service, config=cfg), call)()
    except Exception as e:  # report which service is not ready and fail the start
        sys.exit(f"stack: {service} does not answer at {os.environ['AWS_ENDPOINT_URL']}: {e}")
EOF
}

wait_healthy() {
  local pid=$1 url deadline=$((SECONDS + HEALTH_TIMEOUT_S))
  if [[ $(cat "$KIND_FILE") == moto ]]; then url=$AWS_ENDPOINT_URL/moto-api/; else url=$AWS_ENDPOINT_URL/_localstack/health; fi
  until curl -fs -o /dev/null --max-time 2 "$url"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "stack: $(cat "$KIND_FILE") exited during start; last lines of $LOG_FILE:" >&2
      tail -n 30 "$LOG_FILE" >&2
      rm -f "$PID_FILE"
      exit 1
    fi
    if ((SECONDS > deadline)); then
      echo "stack: no health answer at $url within ${HEALTH_TIMEOUT_S}s; see $LOG_FILE" >&2
      stop
      exit 1
    fi
    sleep 0.5
  done
  if ! warm_up; then stop; exit 1; fi
}

up() {
  local pid
  if pid=$(running_pid); then
    echo "stack: $(cat "$KIND_FILE") already running (pid $pid) at $AWS_ENDPOINT_URL"
    return 0
  fi
  if port_in_use; then
    echo "stack: 127.0.0.1:$STACK_PORT is taken by a process this script did not start; stop it or set STACK_PORT" >&2
    exit 1
  fi
  mkdir -p "$STACK_DIR"
  # A new stack starts empty, so Terraform state and outputs of an earlier one no longer describe anything.
  rm -rf "$STACK_DIR/terraform" "$STACK_DIR/outputs.json"
  echo "$LOCAL_AWS" >"$KIND_FILE"
  case $LOCAL_AWS in
    localstack) start_localstack ;;
    moto) start_moto ;;
    *) echo "stack: LOCAL_AWS must be localstack or moto, not '$LOCAL_AWS'" >&2; exit 2 ;;
  esac
  local started=$SECONDS
  wait_healthy "$(cat "$PID_FILE")"
  echo "stack: $LOCAL_AWS up at $AWS_ENDPOINT_URL (pid $(cat "$PID_FILE"), $((SECONDS - started))s, log $LOG_FILE)"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE"
    echo "stack: not running"
    return 0
  fi
  # LocalStack puts kinesis-local in a process group of its own: note every descendant now, by PID.
  local descendants; descendants=$(descendants_of "$pid")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  # Children that outlived the leader (LocalStack normally stops them itself).
  kill -KILL -- "-$pid" 2>/dev/null || true
  local child
  for child in $descendants; do kill -KILL "$child" 2>/dev/null || true; done
  rm -f "$PID_FILE"
  echo "stack: stopped (pid $pid)"
}

status() {
  local pid
  if pid=$(running_pid); then echo "stack: $(cat "$KIND_FILE") running (pid $pid) at $AWS_ENDPOINT_URL"
  else echo "stack: not running"; return 1; fi
}

case ${1:-} in
  up) up ;;
  down) stop ;;
  status) status ;;
  *) echo "usage: $0 up|down|status   (LOCAL_AWS=localstack|moto, STACK_PORT=$STACK_PORT)" >&2; exit 2 ;;
esac
