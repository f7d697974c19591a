#!/usr/bin/env python3
"""Measures the release `stresslens` binary the way sklearn_reference.py measures the reference, and compares.

- batch, in process (what the reference's batch figure measures: features + forest over every post of the file,
  data already in memory): the criterion estimate of `score/dreaddit_train` (crates/stresslens-core/benches/score.rs),
  read from --criterion when given; the core scores on every core of the machine, the reference on one.
- batch, whole process: `stresslens predict` over every post of the data file (JSON lines); wall time of the whole
  process (start, artifact load, JSON parsing, scoring, output), median of 5 runs.
- cold start: `stresslens predict` on one post in a fresh process, median of 30 runs (reference: a fresh Python
  process importing scikit-learn, unpickling and scoring one record).
- artifact size vs the reference's pickle; peak RSS of the batch run from /usr/bin/time -v.

The reference may have run several times (--reference A.json B.json ...): each ratio uses the median of its runs,
and target/bench/reference.json records them all.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import pandas as pd


def model_numeric_fields(binary, model):
    # The header is JSON right after the 16-byte prefix (see crates/stresslens-core/src/artifact.rs).
    with open(model, "rb") as f:
        prefix = f.read(16)
        header_len = int.from_bytes(prefix[12:16], "little")
        header = json.loads(f.read(header_len))
    return header["features"]["numeric_fields"]


def run(binary, model, path):
    start = time.perf_counter()
    with open(path, "rb") as stdin:
        done = subprocess.run([binary, "predict", "--model", model], stdin=stdin, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"stresslens predict failed: {done.stderr.decode()[-500:]}")
    return elapsed


def peak_rss_mib(binary, model, path):
    with open(path, "rb") as stdin:
        done = subprocess.run(["/usr/bin/time", "-v", binary, "predict", "--model", model], stdin=stdin,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    for line in done.stderr.decode().splitlines():
        if "Maximum resident set size" in line:
            return int(line.split(":")[1]) / 1024
    raise SystemExit("no peak RSS in /usr/bin/time output")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--reference", required=True, nargs="+", help="JSON of one or more reference runs")
    ap.add_argument("--out", required=True)
    ap.add_argument("--criterion", help="target/criterion directory holding score/dreaddit_train")
    args = ap.parse_args()

    fields = model_numeric_fields(args.binary, args.model)
    data = pd.read_csv(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        all_posts = os.path.join(tmp, "posts.jsonl")
        with open(all_posts, "w") as f:
            for i, row in data.iterrows():
                record = {"id": str(i), "text": row["text"]}
                record.update({name: float(row[name]) for name in fields})
                f.write(json.dumps(record) + "\n")
        one_post = os.path.join(tmp, "one.jsonl")
        with open(all_posts) as src, open(one_post, "w") as dst:
            dst.write(src.readline())

        run(args.binary, args.model, one_post)  # warm the page cache for the binary and the model
        batch = [run(args.binary, args.model, all_posts) for _ in range(5)]
        cold = [run(args.binary, args.model, one_post) for _ in range(30)]
        rss = peak_rss_mib(args.binary, args.model, all_posts)

    in_process = None
    if args.criterion:
        estimates = os.path.join(args.criterion, "score", "dreaddit_train", "new", "estimates.json")
        if os.path.exists(estimates):
            with open(estimates) as f:
                seconds = json.load(f)["mean"]["point_estimate"] / 1e9
            in_process = {"seconds": seconds, "records_per_s": len(data) / seconds}
    ours = {
        "records": len(data),
        "batch_in_process": in_process,
        "batch_process_s_median": statistics.median(batch),
        "batch_records_per_s": len(data) / statistics.median(batch),
        "cold_start_s_median": statistics.median(cold),
        "cold_start_s_min": min(cold),
        "model_bytes": os.path.getsize(args.model),
        "peak_rss_mib": rss,
    }
    runs = []
    for path in args.reference:
        with open(path) as f:
            runs.append(json.load(f))
    # The median run of the reference for each figure (the machine's speed drifts between runs).
    ref = {
        "batch": {"records_per_s": statistics.median(r["batch"]["records_per_s"] for r in runs)},
        "cold_start": {"process_s": statistics.median(r["cold_start"]["process_s"] for r in runs)},
        "model_bytes": runs[0]["model_bytes"],
        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        "runs": [{"batch_records_per_s": r["batch"]["records_per_s"], "cold_start_s": r["cold_start"]["process_s"]}
                 for r in runs],
    }
    comparison = {
        "batch_in_process_ratio": in_process and in_process["records_per_s"] / ref["batch"]["records_per_s"],
        "batch_throughput_ratio": ours["batch_records_per_s"] / ref["batch"]["records_per_s"],
        "cold_start_ratio": ref["cold_start"]["process_s"] / ours["cold_start_s_median"],
        "size_ratio": ours["model_bytes"] / ref["model_bytes"],
        "peak_rss_mib": rss,
    }
    with open(os.path.join(args.out, "stresslens.json"), "w") as f:
        json.dump(ours, f, indent=2)
    with open(os.path.join(args.out, "comparison.json"), "w") as f:
        json.dump(comparison, f, indent=2)
    rows = []
    if in_process:
        rows.append(("batch scoring throughput, in process (records/s)", f"{ref['batch']['records_per_s']:.0f}",
                     f"{in_process['records_per_s']:.0f}", f"{comparison['batch_in_process_ratio']:.1f}x faster",
                     ">= 30x"))
    rows += [
        ("batch scoring throughput, whole `stresslens predict` process (records/s)",
         f"{ref['batch']['records_per_s']:.0f}", f"{ours['batch_records_per_s']:.0f}",
         f"{comparison['batch_throughput_ratio']:.1f}x faster", ""),
        ("cold process: load + score one post (s)", f"{ref['cold_start']['process_s']:.3f}",
         f"{ours['cold_start_s_median']:.4f}", f"{comparison['cold_start_ratio']:.0f}x faster", ">= 50x"),
        ("model file (bytes)", f"{ref['model_bytes']}", f"{ours['model_bytes']}",
         f"{comparison['size_ratio']:.3f} of the pickle", "<= 0.25"),
        ("peak RSS scoring all posts (MiB)", f"{ref['peak_rss_mib']:.0f} (whole script)", f"{rss:.1f}", "", "<= 64 MiB"),
    ]
    lines = ["| measure | scikit-learn reference | stresslens | ratio | target |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {' | '.join(r)} |" for r in rows]
    batch_runs = ", ".join(f"{r['batch_records_per_s']:.0f}" for r in ref["runs"])
    cold_runs = ", ".join(f"{r['cold_start_s']:.2f}" for r in ref["runs"])
    lines += ["", f"Reference runs: batch {batch_runs} records/s; cold start {cold_runs} s (the table uses the medians)."]
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(ref, f, indent=2)
    with open(os.path.join(args.out, "performance.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
