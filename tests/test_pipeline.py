"""End to end on the local stack: posts on the input stream -> the real, unmodified stresslens-lambda behind the
local Lambda harness -> predictions and rejects streams. Every test starts from fresh, empty streams."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from conftest import ACCOUNT_ID, ENDPOINT, REGION, ROOT, wait_until
from kpl import aggregate, aggregate_with_bad_key_index
from local_lambda.event_source import MappingConfig
from local_lambda.fault_proxy import FaultPlan, FaultProxy
from local_lambda.harness import HarnessConfig, LocalLambda
from local_lambda.posts import post, synthetic_posts
from local_lambda.runtime import FunctionConfig
from streams import put_posts, put_records, read_json

LAMBDA_BINARY = ROOT / "target" / "release" / "stresslens-lambda"
CLI_BINARY = ROOT / "target" / "release" / "stresslens"
MODEL_FILE = Path(os.environ.get("STRESSLENS_MODEL") or ROOT / "models" / "stresslens-dreaddit.bin")
MODEL_KEY = "models/stresslens-dreaddit/model.bin"


@pytest.fixture(scope="module", autouse=True)
def built_artifacts():
    missing = [str(p) for p in (LAMBDA_BINARY, CLI_BINARY, MODEL_FILE) if not p.exists()]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: scripts/integration.sh builds them (make build)")


@pytest.fixture
def model_uri(s3, bucket):
    s3.upload_file(str(MODEL_FILE), bucket, MODEL_KEY)
    return f"s3://{bucket}/{MODEL_KEY}"


def local_lambda(streams, model_uri: str, endpoint: str = ENDPOINT, **mapping) -> LocalLambda:
    function = FunctionConfig(
        name="stresslens", command=[str(LAMBDA_BINARY)], region=REGION, account_id=ACCOUNT_ID, timeout_s=60,
        environment={"MODEL_URI": model_uri, "PREDICTIONS_STREAM": streams.predictions,
                     "REJECTS_STREAM": streams.rejects, "AWS_ENDPOINT_URL": endpoint, "RUST_LOG": "info"},
    )
    cfg = MappingConfig(stream_arn=streams.input_arn, region=REGION,
                        role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/stresslens-local", idle_poll_s=0.2,
                        retry_backoff_initial_s=0.1, retry_backoff_max_s=2.0, **mapping)
    return LocalLambda(HarnessConfig(function=function, mapping=cfg, endpoint_url=ENDPOINT))


def offline_predictions(posts: list[dict], tmp_path) -> dict[str, dict]:
    """What `stresslens predict` says for the same posts, by id."""
    source = tmp_path / "offline-input.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in posts), encoding="utf-8")
    run = subprocess.run([str(CLI_BINARY), "predict", "--model", str(MODEL_FILE), "--input", str(source)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    by_id = {r["id"]: r for r in records}
    assert len(by_id) == len(posts)
    return by_id


def by_id(records: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        grouped[record["id"]].append(record)
    return grouped


def wait_for_predictions(kinesis, streams, count: int, timeout_s: float) -> list[dict]:
    def enough():
        records = read_json(kinesis, streams.predictions)
        return records if len({r["id"] for r in records}) >= count else None
    return wait_until(enough, timeout_s, f"{count} distinct predictions on {streams.predictions}", interval_s=1.0)


def wait_until_drained(harness: LocalLambda, put: list[dict], timeout_s: float) -> None:
    """Until every shard's checkpoint has passed the last record put on it."""
    last: dict[str, int] = {}
    for result in put:
        last[result["ShardId"]] = max(last.get(result["ShardId"], 0), int(result["SequenceNumber"]))

    def drained():
        checkpoints = dict(harness.event_source.checkpoints)
        return all(int(checkpoints.get(shard, 0)) >= seq for shard, seq in last.items())
    wait_until(drained, timeout_s, "every shard checkpointed past its last record")


def assert_same_as_offline(online: dict, offline: dict) -> None:
    assert (online["id"], online["stress"], online["probability"], online["threshold"], online["model"]) == (
        offline["id"], offline["stress"], offline["probability"], offline["threshold"], offline["model"])


@pytest.mark.parametrize("streams", [4], indirect=True)
def test_every_post_gets_exactly_the_prediction_the_cli_gives_offline(kinesis, streams, model_uri, tmp_path):
    posts = synthetic_posts(1200, seed=20261203, prefix="bulk")
    offline = offline_predictions(posts, tmp_path)
    put = put_posts(kinesis, streams.input, posts)
    assert len({r["ShardId"] for r in put}) == 4
    sequence_of = {p["id"]: r["SequenceNumber"] for p, r in zip(posts, put)}
    shard_of = {p["id"]: r["ShardId"] for p, r in zip(posts, put)}
    with local_lambda(streams, model_uri, batch_size=100) as harness:
        wait_until_drained(harness, put, 300)
    predictions = read_json(kinesis, streams.predictions)
    assert len(predictions) == 1200
    online = {p["id"]: p for p in predictions}
    assert sorted(online) == sorted(sequence_of)
    for post_id, prediction in online.items():
        assert_same_as_offline(prediction, offline[post_id])
        assert prediction["source"] == {"stream": streams.input_arn, "shard": shard_of[post_id],
                                        "sequence_number": sequence_of[post_id], "sub_sequence": None}
    assert read_json(kinesis, streams.rejects) == []
    assert harness.event_source.discarded == []
    assert Counter(p["stress"] for p in predictions)[True] > 0
    assert Counter(p["stress"] for p in predictions)[False] > 0


MALFORMED: list[tuple[bytes, str]] = [
    (b"\xff\xfe not utf-8", "not_utf8"),
    (b"{this is not json", "invalid_json"),
    (b"[1, 2, 3]", "invalid_json"),
    (json.dumps({"id": "no-text", "lex_liwc_i": 1}).encode(), "missing_field"),
    (json.dumps({**post("numeric-text", "x"), "text": 42}).encode(), "invalid_field"),
    (json.dumps(post("blank", "   \n\t ")).encode(), "empty_text"),
    (json.dumps(post("huge", "stress " * 12000)).encode(), "text_too_long"),
    (json.dumps({k: v for k, v in post("no-tone", "a quiet day").items() if k != "lex_liwc_Tone"}).encode(),
     "missing_field"),
    (json.dumps({**post("nan-sentiment", "a quiet day"), "sentiment": "NaN"}).encode(), "invalid_field"),
    (json.dumps({**post("word-clout", "a quiet day"), "lex_liwc_Clout": "lots"}).encode(), "invalid_field"),
    (aggregate_with_bad_key_index(json.dumps(post("in-bad-aggregate", "fine")).encode()), "bad_aggregate"),
]


@pytest.mark.parametrize("streams", [2], indirect=True)
def test_malformed_records_are_rejected_with_their_reason_and_the_good_ones_all_scored(
        kinesis, streams, model_uri, tmp_path):
    good = synthetic_posts(300, seed=7, prefix="good")
    offline = offline_predictions(good, tmp_path)
    entries: list[tuple[bytes, str]] = []
    expected_reason: dict[int, str] = {}
    bad = iter(MALFORMED * 2)
    for index, item in enumerate(good):
        entries.append((json.dumps(item).encode(), item["id"]))
        if index % 25 == 3:
            data, reason = next(bad, (None, None))
            if data is not None:
                expected_reason[len(entries)] = reason
                entries.append((data, f"bad-{len(entries)}"))
    put = put_records(kinesis, streams.input, entries)
    with local_lambda(streams, model_uri, batch_size=50) as harness:
        wait_until_drained(harness, put, 180)
    predictions = read_json(kinesis, streams.predictions)
    assert sorted(p["id"] for p in predictions) == sorted(p["id"] for p in good)
    for prediction in predictions:
        assert_same_as_offline(prediction, offline[prediction["id"]])
    rejects = read_json(kinesis, streams.rejects)
    expected = sorted((put[i]["SequenceNumber"], reason) for i, reason in expected_reason.items())
    assert len(expected) == 12
    assert sorted((r["source"]["sequence_number"], r["reason"]) for r in rejects) == expected
    for reject in rejects:
        index = next(i for i in expected_reason if put[i]["SequenceNumber"] == reject["source"]["sequence_number"])
        assert base64.b64decode(reject["data"]) == entries[index][0]
        assert reject["message"]
    assert harness.event_source.discarded == []


@pytest.mark.parametrize("streams", [2], indirect=True)
@pytest.mark.parametrize("share, calls, lambda_redelivers", [
    # A share of entries throttled for a while: the function's own retries deliver them.
    (0.4, 30, False),
    # Every entry throttled for longer than the function retries within one invocation: the failed records go
    # back in batchItemFailures and the event source mapping re-delivers them.
    (1.0, 14, True),
], ids=["partial-throttling", "throttled-past-the-function-retries"])
def test_throttled_prediction_writes_are_retried_until_every_prediction_is_delivered(
        kinesis, streams, model_uri, tmp_path, share, calls, lambda_redelivers):
    posts = synthetic_posts(600, seed=99, prefix="faulty")
    offline = offline_predictions(posts, tmp_path)
    proxy = FaultProxy(ENDPOINT)
    proxy.inject(FaultPlan(stream=streams.predictions, share=share, calls=calls, seed=3))
    put = put_posts(kinesis, streams.input, posts)
    sequence_of = {p["id"]: r["SequenceNumber"] for p, r in zip(posts, put)}
    try:
        with local_lambda(streams, model_uri, endpoint=proxy.url, batch_size=100) as harness:
            wait_until_drained(harness, put, 300)
    finally:
        proxy.close()
    assert proxy.stats.faulted_calls == calls
    assert proxy.stats.entries_failed > 100
    assert not proxy.fault_window_open()
    redelivered = [i for i in harness.event_source.invocations if i.failed_from is not None]
    assert bool(redelivered) == lambda_redelivers
    predictions = read_json(kinesis, streams.predictions)
    grouped = by_id(predictions)
    assert sorted(grouped) == sorted(sequence_of), "every post has a prediction"
    for post_id, copies in grouped.items():
        # Duplicates are replays of the same source record with the same content.
        assert {c["source"]["sequence_number"] for c in copies} == {sequence_of[post_id]}
        for copy in copies:
            assert_same_as_offline(copy, offline[post_id])
    assert harness.event_source.discarded == []
    assert read_json(kinesis, streams.rejects) == []


@pytest.mark.parametrize("streams", [1], indirect=True)
def test_missing_model_fails_init_naming_the_uri_and_records_wait_until_it_is_uploaded(
        kinesis, s3, streams, bucket, tmp_path):
    uri = f"s3://{bucket}/{MODEL_KEY}"
    posts = synthetic_posts(40, seed=5, prefix="early")
    offline = offline_predictions(posts, tmp_path)
    put = put_posts(kinesis, streams.input, posts)
    with local_lambda(streams, uri, batch_size=25) as harness:
        wait_until(lambda: len(harness.init_failures) >= 2, 60, "two failed inits")
        assert read_json(kinesis, streams.predictions) == []
        s3.upload_file(str(MODEL_FILE), bucket, MODEL_KEY)
        wait_until_drained(harness, put, 120)
    failures = harness.init_failures
    assert all(uri in f.error_message for f in failures), [f.error_message for f in failures]
    predictions = read_json(kinesis, streams.predictions)
    assert sorted(p["id"] for p in predictions) == sorted(p["id"] for p in posts)
    for prediction in predictions:
        assert_same_as_offline(prediction, offline[prediction["id"]])
    assert harness.event_source.discarded == []


@pytest.mark.parametrize("streams", [1], indirect=True)
def test_a_kpl_aggregated_record_gives_one_prediction_per_sub_record(kinesis, streams, model_uri, tmp_path):
    posts = synthetic_posts(7, seed=11, prefix="kpl")
    offline = offline_predictions(posts, tmp_path)
    blob = aggregate([(p["id"][:5], json.dumps(p).encode()) for p in posts])
    plain = post("plain-after-aggregate", "Just a normal day at the office, nothing special to report.")
    put = put_records(kinesis, streams.input, [(blob, "aggregate"), (json.dumps(plain).encode(), "plain")])
    with local_lambda(streams, model_uri, batch_size=10) as harness:
        wait_until_drained(harness, put, 60)
    predictions = read_json(kinesis, streams.predictions)
    from_aggregate = sorted((p for p in predictions if p["id"] != plain["id"]),
                            key=lambda p: p["source"]["sub_sequence"])
    assert [p["id"] for p in from_aggregate] == [p["id"] for p in posts]
    assert [p["source"]["sub_sequence"] for p in from_aggregate] == list(range(7))
    assert {p["source"]["sequence_number"] for p in from_aggregate} == {put[0]["SequenceNumber"]}
    for prediction in from_aggregate:
        assert_same_as_offline(prediction, offline[prediction["id"]])
    assert [p["id"] for p in predictions if p["id"] == plain["id"]] == [plain["id"]]
    assert read_json(kinesis, streams.rejects) == []
