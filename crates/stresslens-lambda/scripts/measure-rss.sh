#!/usr/bin/env bash
# Peak RSS of the real stresslens-lambda binary handling one 10,000-record Kinesis event with the default model
# loaded from S3, writing its predictions with PutRecords to a Kinesis stream: both served by a throw-away moto
# server on 127.0.0.1 (system python3 with moto, serving one request at a time: see scripts/lib/moto_serial_server.py).
# Prints the figure; fails above the budget or when a prediction is missing from the stream.
#   crates/stresslens-lambda/scripts/measure-rss.sh [RECORDS] [BUDGET_MIB]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
RECORDS=${1:-10000}
BUDGET_MIB=${2:-64}
MODEL=${MODEL:-$ROOT/models/stresslens-dreaddit.bin}
PORT=${RSS_MOTO_PORT:-45791}
WORK=$(mktemp -d)
MOTO_PID=
cleanup() {
  [[ -n $MOTO_PID ]] && kill "$MOTO_PID" 2>/dev/null && wait "$MOTO_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

[[ -f $MODEL ]] || { echo "measure-rss: no model at $MODEL" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "measure-rss: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
python3 -c 'import moto.server, boto3' 2>/dev/null || { echo "measure-rss: python3 needs moto[server] and boto3" >&2; exit 1; }

(cd "$ROOT" && cargo build --release --locked -p stresslens-lambda >&2)
BIN=$ROOT/target/release/stresslens-lambda
python3 "$ROOT/events/generate.py" --records "$RECORDS" --out "$WORK/event.json"

python3 "$ROOT/scripts/lib/moto_serial_server.py" 127.0.0.1 "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

python3 - "$MODEL" <<'PY'
import sys, time, boto3
s3 = boto3.client("s3")
s3.create_bucket(Bucket="rss-models", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
s3.upload_file(sys.argv[1], "rss-models", "models/model.bin")
kinesis = boto3.client("kinesis")
kinesis.create_stream(StreamName="rss-predictions", ShardCount=4)
for _ in range(100):
    if kinesis.describe_stream_summary(StreamName="rss-predictions")["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
        break
    time.sleep(0.1)
PY

MODEL_URI=s3://rss-models/models/model.bin PREDICTIONS_STREAM=rss-predictions AWS_LAMBDA_LOG_LEVEL=WARN \
  /usr/bin/time -v "$BIN" --event "$WORK/event.json" >"$WORK/response.json" 2>"$WORK/stderr.log" || {
  cat "$WORK/stderr.log" >&2; exit 1; }

RESPONSE=$(cat "$WORK/response.json")
[[ $RESPONSE == '{"batchItemFailures":[]}' ]] || { echo "measure-rss: unexpected response $RESPONSE" >&2; exit 1; }
WRITTEN=$(python3 - <<'PY'
import boto3
k = boto3.client("kinesis")
total = 0
for shard in k.list_shards(StreamName="rss-predictions")["Shards"]:
    it = k.get_shard_iterator(StreamName="rss-predictions", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    empty = 0
    while it and empty < 3:  # a page can be empty before the end of the shard
        out = k.get_records(ShardIterator=it, Limit=10000)
        total += len(out["Records"])
        empty = 0 if out["Records"] else empty + 1
        it = out.get("NextShardIterator")
print(total)
PY
)
KIB=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/stderr.log")
WALL=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/stderr.log")
MIB=$(awk -v k="$KIB" 'BEGIN { printf "%.1f", k / 1024 }')
echo "records=$RECORDS predictions_written=$WRITTEN peak_rss_kib=$KIB peak_rss_mib=$MIB wall=$WALL budget_mib=$BUDGET_MIB"
grep -h '"_aws"' "$WORK/stderr.log" | head -1 >&2 || true
(( WRITTEN == RECORDS )) || { echo "measure-rss: $RECORDS records in, $WRITTEN predictions on the stream" >&2; exit 1; }
(( KIB <= BUDGET_MIB * 1024 )) || { echo "measure-rss: over the ${BUDGET_MIB} MiB budget" >&2; exit 1; }
