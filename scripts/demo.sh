#!/usr/bin/env bash
# `make demo`: the whole pipeline on this machine, as a user would run it.
#   build -> local AWS stack -> terraform apply infra/envs/local -> model to S3 -> local Lambda (the real
#   stresslens-lambda binary) -> `aws kinesis put-records` of sample posts and a few malformed records ->
#   `aws kinesis get-records` of predictions and rejects -> a table and a one-line summary.
# Stops everything it started, also on failure or Ctrl-C.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/local-aws.sh
source scripts/lib/local-aws.sh

POSTS=${POSTS:-$ROOT/events/posts/demo-posts.jsonl}
MODEL_FILE=${MODEL:-$ROOT/models/stresslens-dreaddit.bin}
[[ $MODEL_FILE == /* ]] || MODEL_FILE=$ROOT/$MODEL_FILE
WAIT_S=${DEMO_WAIT_S:-180}
DEMO_DIR=$STACK_DIR/demo
CARGO=${CARGO:-cargo}
LAMBDA_BINARY=${LAMBDA_BINARY:-$ROOT/target/release/stresslens-lambda}

started_stack=0
harness_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $harness_pid ]] && kill -0 "$harness_pid" 2>/dev/null; then
    kill -TERM "$harness_pid" 2>/dev/null || true
    wait "$harness_pid" 2>/dev/null || true
  fi
  if ((started_stack)); then scripts/stack.sh down >/dev/null || true; fi
  if ((rc != 0)); then
    echo "demo: failed (exit $rc); logs in $DEMO_DIR and $STACK_DIR/stack.log" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { echo "demo: [${SECONDS}s] $*"; }

scripts/deps.sh
mkdir -p "$DEMO_DIR"
rm -f "$DEMO_DIR"/*.jsonl "$DEMO_DIR"/*.json

say "building stresslens and stresslens-lambda (release)"
$CARGO build --release --locked -p stresslens-cli -p stresslens-lambda
[[ -f $MODEL_FILE ]] || { echo "demo: no model at $MODEL_FILE (make model builds it)" >&2; exit 1; }

if scripts/stack.sh status >/dev/null 2>&1; then
  say "using the local stack that is already running"
else
  started_stack=1
  scripts/stack.sh up
fi
scripts/provision-local.sh "$MODEL_FILE"

outputs=$STACK_DIR/outputs.json
input=$(jq -er .input_stream_name.value "$outputs")
predictions=$(jq -er .predictions_stream_name.value "$outputs")
rejects=$(jq -er .rejects_stream_name.value "$outputs")
function_env=()
while IFS= read -r pair; do function_env+=(--env "$pair"); done \
  < <(jq -r '.function_environment.value | to_entries[] | "\(.key)=\(.value)"' "$outputs")

# Only what this run puts counts, even on a stack that already holds records of an earlier run.
since=$(date +%s)
say "starting the local Lambda on $input (function log: $DEMO_DIR/function.log)"
PYTHONPATH=$ROOT/tools "$TESTS_VENV/bin/python" -m local_lambda \
  --binary "$LAMBDA_BINARY" --function-name stresslens-local --stream "$input" \
  --account-id "$(local_account_id)" --endpoint-url "$AWS_ENDPOINT_URL" --region "$AWS_REGION" \
  --starting-position AT_TIMESTAMP --starting-timestamp "$since" --batch-size 25 \
  "${function_env[@]}" --env "AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL" \
  --function-log "$DEMO_DIR/function.log" >"$DEMO_DIR/harness.log" 2>&1 &
harness_pid=$!

# The records a user would put: each sample post as JSON, plus malformed ones the function must reject.
jq -c '{Data: (. | tojson), PartitionKey: .id}' "$POSTS" >"$DEMO_DIR/records.jsonl"
jq -c '{Data: ., PartitionKey: "malformed"}' >>"$DEMO_DIR/records.jsonl" <<'EOF'
"{\"id\": \"bad-json\", \"text\": \"this record was cut off in the midd"
"just a line of plain text, not a JSON object"
"{\"id\": \"no-text\", \"lex_liwc_Tone\": 50, \"lex_liwc_i\": 5, \"lex_liwc_negemo\": 1, \"lex_liwc_Clout\": 50, \"sentiment\": 0}"
"{\"id\": \"blank\", \"text\": \"   \", \"lex_liwc_Tone\": 50, \"lex_liwc_i\": 5, \"lex_liwc_negemo\": 1, \"lex_liwc_Clout\": 50, \"sentiment\": 0}"
"{\"id\": \"nan-sentiment\", \"text\": \"Fine day.\", \"lex_liwc_Tone\": 50, \"lex_liwc_i\": 5, \"lex_liwc_negemo\": 1, \"lex_liwc_Clout\": 50, \"sentiment\": \"NaN\"}"
"{\"id\": \"no-clout\", \"text\": \"Fine day.\", \"lex_liwc_Tone\": 50, \"lex_liwc_i\": 5, \"lex_liwc_negemo\": 1, \"sentiment\": 0}"
EOF
jq -s . "$DEMO_DIR/records.jsonl" >"$DEMO_DIR/put-records.json"
sent_posts=$(grep -c . "$POSTS")
sent_total=$(jq length "$DEMO_DIR/put-records.json")
sent_malformed=$((sent_total - sent_posts))

say "putting $sent_posts posts and $sent_malformed malformed records on $input"
aws_cli kinesis put-records --stream-name "$input" --records "file://$DEMO_DIR/put-records.json" \
  --output json >"$DEMO_DIR/put-result.json"
failed=$(jq .FailedRecordCount "$DEMO_DIR/put-result.json")
((failed == 0)) || { echo "demo: $failed of $sent_total records were not accepted by $input" >&2; exit 1; }

# read_stream STREAM OUT: every record put on STREAM since $since, one decoded JSON document a line, read with
# `aws kinesis get-records` from all shards (in parallel).
read_stream() {
  local stream=$1 out=$2 shard readers=()
  local shards; shards=$(aws_cli kinesis list-shards --stream-name "$stream" --query 'Shards[].ShardId' --output text)
  for shard in $shards; do
    (
      it=$(aws_cli kinesis get-shard-iterator --stream-name "$stream" --shard-id "$shard" \
        --shard-iterator-type AT_TIMESTAMP --timestamp "$since" --query ShardIterator --output text)
      : >"$out.$shard"
      while [[ -n $it && $it != None ]]; do
        page=$(aws_cli kinesis get-records --shard-iterator "$it" --limit 10000 --output json)
        jq -c '.Records[].Data | @base64d | fromjson' <<<"$page" >>"$out.$shard"
        # Caught up with the tip of the shard: nothing more to read now.
        if [[ $(jq '(.MillisBehindLatest // 0) == 0' <<<"$page") == true ]]; then break; fi
        it=$(jq -r '.NextShardIterator // empty' <<<"$page")
      done
    ) &
    readers+=($!)
  done
  # Only the readers: a bare `wait` would also wait for the local Lambda.
  wait "${readers[@]}"
  cat "$out".shardId-* >"$out" 2>/dev/null || : >"$out"
  rm -f "$out".shardId-*
}

say "reading $predictions and $rejects back (up to ${WAIT_S}s)"
deadline=$((SECONDS + WAIT_S))
while :; do
  if ! kill -0 "$harness_pid" 2>/dev/null; then
    echo "demo: the local Lambda stopped; see $DEMO_DIR/harness.log" >&2
    tail -n 20 "$DEMO_DIR/harness.log" >&2
    exit 1
  fi
  read_stream "$predictions" "$DEMO_DIR/predictions.jsonl"
  read_stream "$rejects" "$DEMO_DIR/rejects.jsonl"
  got=$(($(grep -c . "$DEMO_DIR/predictions.jsonl" || true) + $(grep -c . "$DEMO_DIR/rejects.jsonl" || true)))
  ((got >= sent_total)) && break
  if ((SECONDS > deadline)); then
    say "timed out with $got of $sent_total records accounted for"
    break
  fi
  sleep 1
done

python3 - "$POSTS" "$DEMO_DIR/predictions.jsonl" "$DEMO_DIR/rejects.jsonl" "$sent_posts" "$sent_total" <<'EOF'
import base64, json, sys

posts_file, predictions_file, rejects_file, sent_posts, sent_total = sys.argv[1:]
sent_posts, sent_total = int(sent_posts), int(sent_total)
posts = {p["id"]: p for p in map(json.loads, open(posts_file, encoding="utf-8")) if p}
predictions = [json.loads(line) for line in open(predictions_file, encoding="utf-8") if line.strip()]
rejects = [json.loads(line) for line in open(rejects_file, encoding="utf-8") if line.strip()]

def snippet(text, width=60):
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"

# A replayed record shows up twice with the same source coordinates: count each source record once.
unique = {}
for p in predictions:
    source = p.get("source") or {}
    unique.setdefault((source.get("sequence_number"), source.get("sub_sequence"), p["id"]), p)
rows = sorted(unique.values(), key=lambda p: p["id"])
print()
print(f"{'id':<10} {'stress':<7} {'prob':>5}  text")
print(f"{'-' * 10} {'-' * 7} {'-' * 5}  {'-' * 60}")
for p in rows:
    text = posts.get(p["id"], {}).get("text", "")
    print(f"{p['id']:<10} {'yes' if p['stress'] else 'no':<7} {p['probability']:>5.2f}  {snippet(text)}")
if rejects:
    print()
    print(f"{'rejected record':<32} {'reason':<14} message")
    print(f"{'-' * 32} {'-' * 14} {'-' * 40}")
    for r in rejects:
        try:
            original = base64.b64decode(r.get("data") or "").decode("utf-8", "replace")
        except ValueError:
            original = "?"
        print(f"{snippet(original, 32):<32} {r.get('reason', '?'):<14} {snippet(str(r.get('message', '')), 60)}")
stressed = sum(1 for p in rows if p["stress"])
print()
print(f"demo: {stressed} of {len(rows)} posts predicted stressed; {len(predictions) - len(rows)} replayed duplicates")
lost = sent_total - len(rows) - len(rejects)
print(f"demo: sent {sent_posts} posts, read back {len(rows)} predictions, {len(rejects)} rejected, {lost} lost")
sys.exit(0 if lost == 0 and len(rows) == sent_posts else 1)
EOF
