#!/usr/bin/env bash
# Speed and size, side by side with the scikit-learn reference on the same machine and file:
#   1. criterion benches (scoring a batch of 500 and the whole train file, artifact loading) unless BENCH_CRITERION=0;
#   2. ../shared/bench/sklearn_reference.py (in .venv-bench from requirements/bench.txt), REFERENCE_RUNS times
#      (default 3) around the criterion benches; ratios use the median of its runs;
#   3. the release `stresslens` binary: batch throughput, cold process load+score of one post, artifact size,
#      peak RSS while scoring every post of the file (/usr/bin/time -v).
# Results: target/bench/{reference-N,stresslens,comparison}.json and target/bench/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/venv.sh

DATA=${DATA:-../shared/data/dreaddit/dreaddit-train.csv}
REFERENCE=${REFERENCE:-../shared/bench/sklearn_reference.py}
MODEL=${MODEL:-models/stresslens-dreaddit.bin}
OUT=target/bench
mkdir -p "$OUT"

[[ -f "$DATA" ]] || { echo "bench: data file $DATA not found (set DATA=...)" >&2; exit 1; }
[[ -f "$MODEL" ]] || { echo "bench: model $MODEL not found (run make model)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

ensure_venv .venv-bench "$(python_at 3.12)" requirements/bench.txt

cargo build --release --locked -p stresslens-cli
cargo bench --locked --no-run -p stresslens-core --bench score --bench artifact

# This machine's speed drifts by tens of percent from minute to minute (a shared VM), so the reference runs
# REFERENCE_RUNS times (default 3), before and after our benches, and the ratios use the median of its runs.
runs=${REFERENCE_RUNS:-3}
reference() {
  echo "bench: scikit-learn reference run $1 of $runs on $DATA" >&2
  .venv-bench/bin/python "$REFERENCE" --train "$DATA" > "$OUT/reference-$1.json"
}
reference 1
if [[ "${BENCH_CRITERION:-1}" != 0 ]]; then
  cargo bench --locked -p stresslens-core --bench score --bench artifact
fi
for ((run = 2; run <= runs; run++)); do reference "$run"; done
reference_files=()
for ((run = 1; run <= runs; run++)); do reference_files+=("$OUT/reference-$run.json"); done

echo "bench: measuring stresslens on $DATA" >&2
.venv-bench/bin/python scripts/lib/bench_stresslens.py \
  --binary "${CARGO_TARGET_DIR:-target}/release/stresslens" --model "$MODEL" --data "$DATA" \
  --reference "${reference_files[@]}" \
  --out "$OUT" --criterion "${CARGO_TARGET_DIR:-target}/criterion"
cat "$OUT/performance.md"
