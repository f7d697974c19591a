"""The local Lambda: execution environments for a function binary plus a Kinesis event source mapping feeding them."""

from __future__ import annotations

import dataclasses
import logging

import boto3
import botocore.config

from .event_source import EnvironmentPool, KinesisEventSource, MappingConfig
from .runtime import ExecutionEnvironment, FunctionConfig

log = logging.getLogger("local_lambda")


def kinesis_client(endpoint_url: str, region: str):
    config = botocore.config.Config(retries={"max_attempts": 5, "mode": "standard"}, read_timeout=60)
    return boto3.client("kinesis", endpoint_url=endpoint_url, region_name=region, config=config)


def stream_arn(kinesis, stream: str) -> str:
    """The ARN of `stream` (a name or an ARN)."""
    if stream.startswith("arn:"):
        return stream
    return kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]


@dataclasses.dataclass(frozen=True)
class HarnessConfig:
    function: FunctionConfig
    mapping: MappingConfig
    endpoint_url: str
    concurrency: int = 1


class LocalLambda:
    """Start with `start()`, stop with `stop()` (also a context manager)."""

    def __init__(self, config: HarnessConfig):
        self.config = config
        self.environments = [ExecutionEnvironment(config.function) for _ in range(config.concurrency)]
        self.kinesis = kinesis_client(config.endpoint_url, config.mapping.region)
        self.event_source = KinesisEventSource(self.kinesis, EnvironmentPool(self.environments), config.mapping)

    def start(self) -> "LocalLambda":
        log.info("mapping %s -> %s (batch %d, from %s)", self.config.mapping.stream_arn, self.config.function.name,
                 self.config.mapping.batch_size, self.config.mapping.starting_position)
        self.event_source.start()
        return self

    def stop(self) -> None:
        self.event_source.stop()
        for env in self.environments:
            env.close()

    @property
    def init_failures(self):
        return [failure for env in self.environments for failure in env.init_failures]

    @property
    def cold_starts(self) -> int:
        return sum(env.cold_starts for env in self.environments)

    def __enter__(self) -> "LocalLambda":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
