"""The local Lambda harness itself, driven with a small stand-in function that speaks the Runtime API."""

from __future__ import annotations

import base64
import json
import sys

import pytest
from conftest import ACCOUNT_ID, ENDPOINT, REGION, ROOT, wait_until
from local_lambda.event_source import MappingConfig
from local_lambda.fault_proxy import FaultPlan, FaultProxy
from local_lambda.harness import HarnessConfig, LocalLambda
from local_lambda.runtime import FunctionConfig
from streams import put_posts, read_json

STAND_IN = str(ROOT / "tools" / "local_lambda" / "stand_in_function.py")


def stand_in(streams, bucket, endpoint=ENDPOINT, capture=None, **mapping) -> LocalLambda:
    function = FunctionConfig(
        name="stand-in", command=[sys.executable, STAND_IN], region=REGION, account_id=ACCOUNT_ID, timeout_s=20,
        environment={"MODEL_URI": f"s3://{bucket}/model.bin", "PREDICTIONS_STREAM": streams.predictions,
                     "AWS_ENDPOINT_URL": endpoint, "STAND_IN_CAPTURE": str(capture or "")},
    )
    cfg = MappingConfig(stream_arn=streams.input_arn, region=REGION,
                        role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/stand-in", idle_poll_s=0.1,
                        retry_backoff_initial_s=0.05, retry_backoff_max_s=0.5, **mapping)
    return LocalLambda(HarnessConfig(function=function, mapping=cfg, endpoint_url=ENDPOINT))


@pytest.fixture
def model(s3, bucket):
    s3.put_object(Bucket=bucket, Key="model.bin", Body=b"stand-in model")
    return bucket


def outputs_by_id(kinesis, stream):
    out: dict[str, list[dict]] = {}
    for record in read_json(kinesis, stream):
        out.setdefault(record["id"], []).append(record)
    return out


@pytest.mark.parametrize("streams", [3], indirect=True)
def test_every_record_of_every_shard_is_delivered_in_batches_of_at_most_batch_size(kinesis, streams, model):
    posts = [{"id": f"p{i}"} for i in range(120)]
    put = put_posts(kinesis, streams.input, posts)
    with stand_in(streams, model, batch_size=7) as harness:
        out = wait_until(lambda: len(outputs_by_id(kinesis, streams.predictions)) == 120 and
                         outputs_by_id(kinesis, streams.predictions), 60, "120 outputs")
    assert {i: len(v) for i, v in out.items()} == {f"p{i}": 1 for i in range(120)}
    assert {out[f"p{i}"][0]["source"]["sequence_number"] for i in range(120)} == {p["SequenceNumber"] for p in put}
    assert out["p0"][0]["function_arn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:stand-in"
    assert out["p0"][0]["source"]["stream"] == streams.input_arn
    assert max(len(i.sequence_numbers) for i in harness.event_source.invocations) == 7
    assert all(i.ok for i in harness.event_source.invocations)
    shards_used = {p["ShardId"] for p in put}
    assert len(shards_used) == 3
    last_by_shard = {}
    for p in put:
        last_by_shard[p["ShardId"]] = max(last_by_shard.get(p["ShardId"], 0), int(p["SequenceNumber"]))
    assert {s: int(c) for s, c in harness.event_source.checkpoints.items()} == last_by_shard
    assert harness.cold_starts == 1


def test_event_is_shaped_as_aws_shapes_kinesis_events(kinesis, streams, model, tmp_path):
    put = put_posts(kinesis, streams.input, [{"id": "shape", "text": "héllo"}])[0]
    capture = tmp_path / "capture.jsonl"
    with stand_in(streams, model, batch_size=10, capture=capture) as harness:
        wait_until(lambda: harness.event_source.checkpoints.get(put["ShardId"]), 30, "the checkpoint")
    (captured,) = [json.loads(line) for line in capture.read_text().splitlines()]
    headers, event = captured["headers"], captured["event"]
    assert headers["Lambda-Runtime-Invoked-Function-Arn"] == \
        f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:stand-in"
    assert int(headers["Lambda-Runtime-Deadline-Ms"]) > 0
    assert headers["Lambda-Runtime-Trace-Id"].startswith("Root=1-")
    assert len(headers["Lambda-Runtime-Aws-Request-Id"]) == 36
    (record,) = event["Records"]
    arrival = record["kinesis"].pop("approximateArrivalTimestamp")
    assert isinstance(arrival, float) and arrival > 1.7e9
    assert record == {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "shape",
            "sequenceNumber": put["SequenceNumber"],
            "data": base64.b64encode(json.dumps({"id": "shape", "text": "héllo"}).encode()).decode(),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{put['ShardId']}:{put['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT_ID}:role/stand-in",
        "awsRegion": REGION,
        "eventSourceARN": streams.input_arn,
    }


@pytest.mark.parametrize("streams", [1], indirect=True)
def test_batch_item_failures_redeliver_from_the_lowest_failed_record(kinesis, streams, model):
    posts = [{"id": f"p{i}"} for i in range(60)]
    put_posts(kinesis, streams.input, posts)
    proxy = FaultProxy(ENDPOINT)
    proxy.inject(FaultPlan(stream=streams.predictions, share=0.3, calls=3, seed=1))
    try:
        with stand_in(streams, model, endpoint=proxy.url, batch_size=20) as harness:
            out = wait_until(lambda: len(outputs_by_id(kinesis, streams.predictions)) == 60 and
                             outputs_by_id(kinesis, streams.predictions), 60, "60 outputs")
    finally:
        proxy.close()
    assert proxy.stats.faulted_calls == 3 and proxy.stats.entries_failed > 0
    partial = [i for i in harness.event_source.invocations if i.failed_from is not None]
    assert len(partial) == 3
    # Each re-delivery starts exactly at the lowest failed record of the invocation before it.
    invocations = harness.event_source.invocations
    for index, invocation in enumerate(invocations[:-1]):
        if invocation.failed_from is not None:
            assert invocations[index + 1].sequence_numbers[0] == invocation.failed_from
    # Records before the lowest failure were not re-delivered; the ones after it were, as replays.
    assert set(out) == {f"p{i}" for i in range(60)}
    for records in out.values():
        assert len({r["source"]["sequence_number"] for r in records}) == 1


@pytest.mark.parametrize("streams", [1], indirect=True)
def test_init_error_is_retried_with_backoff_until_the_model_appears(kinesis, s3, streams, bucket):
    put_posts(kinesis, streams.input, [{"id": "late"}])
    with stand_in(streams, bucket, batch_size=10) as harness:
        wait_until(lambda: len(harness.init_failures) >= 2, 30, "two init failures")
        s3.put_object(Bucket=bucket, Key="model.bin", Body=b"now it exists")
        out = wait_until(lambda: outputs_by_id(kinesis, streams.predictions), 30, "the output after the upload")
    assert list(out) == ["late"]
    failure = harness.init_failures[0]
    assert (failure.error_type, failure.error_message) == (
        "ModelNotFound", f"cannot load the model from s3://{bucket}/model.bin")
    gaps = [b.at - a.at for a, b in zip(harness.init_failures, harness.init_failures[1:])]
    # The n-th restart waits at least 0.5 s * 2^(n-1) after the failure before it (the harness's backoff).
    for n, gap in enumerate(gaps):
        assert gap >= 0.5 * 2 ** n - 0.05, gaps


@pytest.mark.parametrize("streams", [1], indirect=True)
def test_function_errors_are_bisected_down_to_the_bad_record_and_retries_end_in_a_discard(kinesis, streams, model):
    posts = [{"id": f"p{i}"} for i in range(8)]
    posts[5] = {"id": "p5", "error": True}
    put = put_posts(kinesis, streams.input, posts)
    with stand_in(streams, model, batch_size=8, bisect_on_error=True, max_retry_attempts=3) as harness:
        wait_until(lambda: harness.event_source.checkpoints.get(put[0]["ShardId"]) == put[-1]["SequenceNumber"],
                   60, "the checkpoint past the last record")
    out = outputs_by_id(kinesis, streams.predictions)
    assert sorted(out) == sorted(f"p{i}" for i in range(8) if i != 5)
    assert harness.event_source.discarded == [{
        "shard": put[0]["ShardId"], "first_sequence": put[5]["SequenceNumber"],
        "last_sequence": put[5]["SequenceNumber"], "count": 1, "reason": "RuntimeError"}]
    sizes = [len(i.sequence_numbers) for i in harness.event_source.invocations if not i.ok]
    assert sizes[:3] == [8, 4, 2]


@pytest.mark.parametrize("streams", [1], indirect=True)
def test_a_crashing_function_is_restarted_and_the_batch_retried(kinesis, streams, model):
    put = put_posts(kinesis, streams.input, [{"id": "a"}, {"id": "boom", "crash": True}, {"id": "b"}])
    with stand_in(streams, model, batch_size=10, bisect_on_error=True, max_retry_attempts=2) as harness:
        wait_until(lambda: harness.event_source.checkpoints.get(put[0]["ShardId"]) == put[-1]["SequenceNumber"],
                   60, "the checkpoint past the last record")
    assert sorted(outputs_by_id(kinesis, streams.predictions)) == ["a", "b"]
    errors = {i.error_type for i in harness.event_source.invocations if not i.ok}
    assert errors == {"Runtime.ExitError"}
    assert harness.cold_starts >= 3
