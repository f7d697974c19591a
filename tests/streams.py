"""Kinesis helpers for the tests: a set of fresh streams, putting posts, reading a whole stream back."""

from __future__ import annotations

import dataclasses
import json
import time


def wait_active(kinesis, name: str, timeout_s: float = 60.0) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        if summary["StreamStatus"] == "ACTIVE":
            return summary["StreamARN"]
        if time.monotonic() > deadline:
            raise TimeoutError(f"stream {name} not ACTIVE after {timeout_s}s")
        time.sleep(0.2)


@dataclasses.dataclass
class StreamSet:
    kinesis: object
    input: str
    predictions: str
    rejects: str
    input_arn: str = ""

    @classmethod
    def create(cls, kinesis, prefix: str, input_shards: int) -> "StreamSet":
        names = {"input": f"{prefix}-posts", "predictions": f"{prefix}-predictions", "rejects": f"{prefix}-rejects"}
        kinesis.create_stream(StreamName=names["input"], ShardCount=input_shards)
        kinesis.create_stream(StreamName=names["predictions"], ShardCount=2)
        kinesis.create_stream(StreamName=names["rejects"], ShardCount=1)
        arns = {role: wait_active(kinesis, name) for role, name in names.items()}
        return cls(kinesis, names["input"], names["predictions"], names["rejects"], arns["input"])

    def delete(self) -> None:
        for name in (self.input, self.predictions, self.rejects):
            try:
                self.kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
            except Exception:
                pass  # already gone: nothing to clean up


def put_records(kinesis, stream: str, entries: list[tuple[bytes, str]]) -> list[dict]:
    """Puts (data, partition key) entries in chunks of 500, retrying failed entries; returns the entries' results
    (ShardId, SequenceNumber) in the order given."""
    results: list[dict | None] = [None] * len(entries)
    pending = list(range(len(entries)))
    attempts = 0
    while pending:
        attempts += 1
        if attempts > 20:
            raise RuntimeError(f"{len(pending)} entries could not be put on {stream}")
        still_failed = []
        for start in range(0, len(pending), 500):
            chunk = pending[start:start + 500]
            answer = kinesis.put_records(
                StreamName=stream,
                Records=[{"Data": entries[i][0], "PartitionKey": entries[i][1]} for i in chunk],
            )
            for i, result in zip(chunk, answer["Records"]):
                if "ErrorCode" in result:
                    still_failed.append(i)
                else:
                    results[i] = result
        pending = still_failed
        if pending:
            time.sleep(0.2)
    return results  # type: ignore[return-value]


def put_posts(kinesis, stream: str, posts: list[dict]) -> list[dict]:
    return put_records(kinesis, stream, [(json.dumps(p).encode(), p.get("id") or str(i)) for i, p in enumerate(posts)])


def read_stream(kinesis, stream: str) -> list[dict]:
    """Every record on every shard of `stream`, from the start, shard by shard."""
    records = []
    shards = kinesis.list_shards(StreamName=stream)["Shards"]
    for shard in shards:
        iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=10000)
            records.extend({**r, "ShardId": shard["ShardId"]} for r in page["Records"])
            if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
                break
            iterator = page.get("NextShardIterator")
    return records


def read_json(kinesis, stream: str) -> list[dict]:
    return [json.loads(r["Data"]) for r in read_stream(kinesis, stream)]
