"""Fixtures for the tests against the local AWS stack (started by scripts/integration.sh or `make stack-up`)."""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

import boto3
import botocore.config
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tests"))

from streams import StreamSet  # noqa: E402

# The emulators accept any credentials; never fall back to a real profile or the metadata service.
for _key, _value in (("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"), ("AWS_REGION", "us-east-1"),
                     ("AWS_EC2_METADATA_DISABLED", "true")):
    os.environ.setdefault(_key, _value)
os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"]

ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
REGION = os.environ.get("AWS_REGION", "us-east-1")
ACCOUNT_ID = os.environ.get("LOCAL_ACCOUNT_ID", "000000000000")


def client(service: str):
    config = botocore.config.Config(retries={"max_attempts": 5, "mode": "standard"}, read_timeout=60)
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION, config=config)


@pytest.fixture(scope="session")
def kinesis():
    kinesis = client("kinesis")
    try:
        kinesis.list_streams(Limit=1)
    except Exception as e:
        pytest.fail(f"the local AWS stack does not answer at {ENDPOINT} (start it with `make stack-up`): {e}")
    return kinesis


@pytest.fixture(scope="session")
def s3():
    return client("s3")


@pytest.fixture
def streams(kinesis, request):
    """Fresh, empty input/predictions/rejects streams for one test, deleted afterwards."""
    shards = getattr(request, "param", 4)
    prefix = f"t{uuid.uuid4().hex[:8]}"
    stream_set = StreamSet.create(kinesis, prefix, input_shards=shards)
    yield stream_set
    stream_set.delete()


@pytest.fixture
def bucket(s3):
    name = f"stresslens-test-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    yield name
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=name, Key=item["Key"])
    s3.delete_bucket(Bucket=name)


def wait_until(predicate, timeout_s: float, what: str, interval_s: float = 0.25):
    """Polls `predicate` until it returns something truthy; fails naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f}s waiting for {what}")
        time.sleep(interval_s)
