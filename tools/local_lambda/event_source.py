"""A Kinesis event source mapping: polls every shard of a stream and invokes the function with AWS-shaped events.

Semantics follow Lambda's Kinesis event source mapping:
- one batch in flight per shard, records of a shard in order, at most `batch_size` records per invocation;
- a response with `batchItemFailures` checkpoints the records before the lowest failed sequence number and
  re-delivers from it; an empty or unknown `itemIdentifier` fails the whole batch;
- a function error (error response, crash, timeout, failed init) retries the batch, split in two first when
  `bisect_on_error` is set, up to `max_retry_attempts` (-1: until it succeeds); a batch that exhausts its retries
  is discarded to the on-failure list and the shard moves on;
- a shard's checkpoint only ever moves past fully processed records.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import queue
import threading
import time
from typing import Callable

from .runtime import ExecutionEnvironment, InvocationResult

log = logging.getLogger("local_lambda.event_source")


@dataclasses.dataclass(frozen=True)
class MappingConfig:
    stream_arn: str
    region: str
    role_arn: str
    batch_size: int = 100
    starting_position: str = "TRIM_HORIZON"  # LATEST, or AT_TIMESTAMP with starting_timestamp
    starting_timestamp: float | None = None
    max_retry_attempts: int = -1
    bisect_on_error: bool = False
    report_batch_item_failures: bool = True
    idle_poll_s: float = 0.25
    retry_backoff_initial_s: float = 0.2
    retry_backoff_max_s: float = 5.0
    shard_rescan_s: float = 10.0


@dataclasses.dataclass
class InvocationRecord:
    """What the mapping did with one invocation (kept for tests and the harness log)."""

    shard_id: str
    sequence_numbers: list[str]
    ok: bool
    error_type: str | None
    failed_from: str | None  # lowest failed sequence number of a partial failure


def kinesis_event(records: list[dict], shard_id: str, cfg: MappingConfig) -> dict:
    """The event Lambda passes for a batch of GetRecords records of one shard."""
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": r["PartitionKey"],
                    "sequenceNumber": r["SequenceNumber"],
                    "data": base64.b64encode(r["Data"]).decode("ascii"),
                    "approximateArrivalTimestamp": round(r["ApproximateArrivalTimestamp"].timestamp(), 3),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{shard_id}:{r['SequenceNumber']}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": cfg.role_arn,
                "awsRegion": cfg.region,
                "eventSourceARN": cfg.stream_arn,
            }
            for r in records
        ]
    }


def lowest_failed_sequence(response: InvocationResult, batch: list[dict]) -> tuple[bool, str | None]:
    """(whole batch failed?, lowest failed sequence number) for a successful invocation's response."""
    try:
        body = response.json()
    except ValueError:
        return False, None  # a non-JSON response is a success without item failures
    if not isinstance(body, dict):
        return False, None
    failures = body.get("batchItemFailures")
    if not failures:
        return False, None
    known = {r["SequenceNumber"] for r in batch}
    lowest: int | None = None
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in known:
            return True, None
        if lowest is None or int(identifier) < lowest:
            lowest = int(identifier)
    return False, str(lowest)


class EnvironmentPool:
    """Execution environments shared by the shard pollers: at most one invocation per environment at a time."""

    def __init__(self, environments: list[ExecutionEnvironment]):
        self.environments = environments
        self._free: queue.Queue[ExecutionEnvironment] = queue.Queue()
        for env in environments:
            self._free.put(env)

    def invoke(self, payload: bytes) -> InvocationResult:
        env = self._free.get()
        try:
            return env.invoke(payload)
        finally:
            self._free.put(env)


class KinesisEventSource:
    """Runs one poller thread per shard until `stop`."""

    def __init__(self, kinesis, pool: EnvironmentPool, cfg: MappingConfig,
                 on_invocation: Callable[[InvocationRecord], None] | None = None):
        self._kinesis = kinesis
        self._pool = pool
        self.cfg = cfg
        self._on_invocation = on_invocation
        self._stop = threading.Event()
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()
        self.checkpoints: dict[str, str] = {}
        self.discarded: list[dict] = []  # batches that exhausted their retries (the on-failure destination)
        self.invocations: list[InvocationRecord] = []
        # By name, not ARN: moto's GetRecords cannot find the stream of an iterator obtained with an ARN.
        self._stream_name = cfg.stream_arn.split(":stream/", 1)[-1]
        self._scanner = threading.Thread(target=self._scan_shards, name="shard-scanner", daemon=True)

    def start(self) -> None:
        self._start_new_shards()
        self._scanner.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout_s
        for thread in list(self._threads.values()) + [self._scanner]:
            if thread.is_alive():
                thread.join(max(0.0, deadline - time.monotonic()))

    def _scan_shards(self) -> None:
        while not self._stop.wait(self.cfg.shard_rescan_s):
            try:
                self._start_new_shards()
            except Exception:  # a failed rescan is retried at the next tick
                log.exception("listing shards failed")

    def _start_new_shards(self) -> None:
        shards = []
        kwargs = {"StreamName": self._stream_name}
        while True:
            page = self._kinesis.list_shards(**kwargs)
            shards.extend(page["Shards"])
            if not page.get("NextToken"):
                break
            kwargs = {"NextToken": page["NextToken"]}
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._threads:
                thread = threading.Thread(target=self._poll_shard, args=(shard_id,), name=shard_id, daemon=True)
                self._threads[shard_id] = thread
                thread.start()

    # ---------------------------------------------------------------------------------------------- one shard
    def _iterator(self, shard_id: str, kind: str, sequence: str | None = None) -> str:
        kwargs = {"StreamName": self._stream_name, "ShardId": shard_id, "ShardIteratorType": kind}
        if sequence is not None:
            kwargs["StartingSequenceNumber"] = sequence
        if kind == "AT_TIMESTAMP":
            kwargs["Timestamp"] = self.cfg.starting_timestamp
        return self._kinesis.get_shard_iterator(**kwargs)["ShardIterator"]

    def _poll_shard(self, shard_id: str) -> None:
        iterator = None
        while not self._stop.is_set():
            try:
                if iterator is None:
                    checkpoint = self.checkpoints.get(shard_id)
                    if checkpoint is not None:
                        iterator = self._iterator(shard_id, "AFTER_SEQUENCE_NUMBER", checkpoint)
                    else:
                        iterator = self._iterator(shard_id, self.cfg.starting_position)
                page = self._kinesis.get_records(ShardIterator=iterator, Limit=self.cfg.batch_size)
            except Exception as e:  # throttling or a restarting stack: re-read from the checkpoint
                log.warning("%s: GetRecords failed (%s); retrying", shard_id, e)
                iterator = None
                self._stop.wait(1.0)
                continue
            records = page.get("Records", [])
            next_iterator = page.get("NextShardIterator")
            if not records:
                if next_iterator is None:
                    log.info("%s: shard closed and fully read", shard_id)
                    return
                iterator = next_iterator
                self._stop.wait(self.cfg.idle_poll_s)
                continue
            resume_from = self._deliver(shard_id, records, attempt=0)
            if resume_from is None:
                self._checkpoint(shard_id, records[-1]["SequenceNumber"])
                iterator = next_iterator
            else:
                done = [r for r in records if int(r["SequenceNumber"]) < int(resume_from)]
                if done:
                    self._checkpoint(shard_id, done[-1]["SequenceNumber"])
                iterator = None if self._stop.is_set() else self._iterator(shard_id, "AT_SEQUENCE_NUMBER", resume_from)

    def _checkpoint(self, shard_id: str, sequence: str) -> None:
        with self._lock:
            self.checkpoints[shard_id] = sequence

    def _deliver(self, shard_id: str, batch: list[dict], attempt: int) -> str | None:
        """Invokes with `batch` until it is processed; returns the sequence number to re-read from, or None."""
        backoff = self.cfg.retry_backoff_initial_s
        while not self._stop.is_set():
            payload = json.dumps(kinesis_event(batch, shard_id, self.cfg)).encode()
            result = self._pool.invoke(payload)
            sequences = [r["SequenceNumber"] for r in batch]
            if result.ok:
                whole_batch_failed, failed_from = (
                    lowest_failed_sequence(result, batch) if self.cfg.report_batch_item_failures else (False, None)
                )
                self._record(InvocationRecord(shard_id, sequences, not whole_batch_failed, None, failed_from))
                if not whole_batch_failed:
                    if failed_from is not None:
                        # A partial failure counts as an attempt: when retries are exhausted the batch is dropped.
                        if self._retries_exhausted(attempt):
                            self._discard(shard_id, batch, "partial failure after the last retry")
                            return None
                        self._stop.wait(0.05)
                    return failed_from
            else:
                self._record(InvocationRecord(shard_id, sequences, False, result.error_type, None))
                log.warning("%s: invocation of %d records failed: %s: %s", shard_id, len(batch),
                            result.error_type, (result.error_message or "")[:500])
            if self._retries_exhausted(attempt):
                self._discard(shard_id, batch, result.error_type or "batch failed")
                return None
            attempt += 1
            self._stop.wait(backoff)
            backoff = min(self.cfg.retry_backoff_max_s, backoff * 2)
            if self.cfg.bisect_on_error and len(batch) > 1:
                middle = len(batch) // 2
                for half in (batch[:middle], batch[middle:]):
                    resume_from = self._deliver(shard_id, half, attempt)
                    if resume_from is not None:
                        return resume_from
                return None
        return batch[0]["SequenceNumber"]  # stopping: nothing past the batch is checkpointed

    def _retries_exhausted(self, attempt: int) -> bool:
        return 0 <= self.cfg.max_retry_attempts <= attempt

    def _discard(self, shard_id: str, batch: list[dict], why: str) -> None:
        log.error("%s: discarding %d records after %s", shard_id, len(batch), why)
        with self._lock:
            self.discarded.append({
                "shard": shard_id,
                "first_sequence": batch[0]["SequenceNumber"],
                "last_sequence": batch[-1]["SequenceNumber"],
                "count": len(batch),
                "reason": why,
            })

    def _record(self, record: InvocationRecord) -> None:
        with self._lock:
            self.invocations.append(record)
        if self._on_invocation:
            self._on_invocation(record)
