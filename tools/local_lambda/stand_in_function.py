"""A tiny stand-in function speaking the Lambda Runtime API, used to test the harness itself.

It follows the stresslens-lambda contract in miniature, without a model: it checks at init that MODEL_URI exists
(and reports an init error naming it otherwise), writes one record per JSON input to PREDICTIONS_STREAM with the
source coordinates, puts other input on REJECTS_STREAM, and reports records whose PutRecords entry failed in
`batchItemFailures`. Test hooks, by input:
`{"crash": true}` makes the process exit mid-invocation, `{"error": true}` returns an invocation error; with
STAND_IN_CAPTURE set, each invocation's headers and event are appended to that file as a JSON line.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import urllib.request

import boto3


def runtime_url(path: str) -> str:
    return f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2018-06-01/runtime/{path}"


def post(path: str, body: dict) -> None:
    request = urllib.request.Request(runtime_url(path), data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()


def model_exists(s3, uri: str) -> bool:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except Exception:
        return False


def put(kinesis, stream: str, items: list[tuple[dict, str, str]]) -> list[str]:
    """Puts (document, partition key, source sequence number) items; returns the sources whose entry failed."""
    if not items:
        return []
    result = kinesis.put_records(StreamName=stream, Records=[
        {"Data": json.dumps(doc).encode(), "PartitionKey": key} for doc, key, _ in items])
    return [source for (_, _, source), r in zip(items, result["Records"]) if "ErrorCode" in r]


def handle(event: dict, kinesis, context_arn: str) -> dict:
    outputs, rejects = [], []
    for record in event["Records"]:
        sequence = record["kinesis"]["sequenceNumber"]
        source = {"stream": record["eventSourceARN"], "shard": record["eventID"].split(":")[0],
                  "sequence_number": sequence, "sub_sequence": None}
        try:
            data = json.loads(base64.b64decode(record["kinesis"]["data"]))
        except ValueError:
            data = None
        key = record["kinesis"]["partitionKey"]
        if not isinstance(data, dict):
            rejects.append(({"reason": "invalid_json", "message": "not a JSON object", "source": source,
                             "data": record["kinesis"]["data"]}, key, sequence))
            continue
        if data.get("crash"):
            sys.exit(3)
        if data.get("error"):
            raise RuntimeError(f"asked to fail by {sequence}")
        # Not a model: a fixed answer, so that only the plumbing is under test.
        outputs.append(({"id": data.get("id") or sequence, "stress": False, "probability": 0.0, "source": source,
                         "function_arn": context_arn}, key, sequence))
    failed = put(kinesis, os.environ["PREDICTIONS_STREAM"], outputs)
    if os.environ.get("REJECTS_STREAM"):
        failed += put(kinesis, os.environ["REJECTS_STREAM"], rejects)
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failed]}


def main() -> None:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    s3 = boto3.client("s3", endpoint_url=endpoint)
    kinesis = boto3.client("kinesis", endpoint_url=endpoint, config=boto3.session.Config(retries={"max_attempts": 1}))
    uri = os.environ["MODEL_URI"]
    if not model_exists(s3, uri):
        post("init/error", {"errorType": "ModelNotFound", "errorMessage": f"cannot load the model from {uri}"})
        sys.exit(1)
    while True:
        with urllib.request.urlopen(runtime_url("invocation/next")) as response:
            request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
            function_arn = response.headers["Lambda-Runtime-Invoked-Function-Arn"]
            raw_event = response.read()
            event = json.loads(raw_event)
            if os.environ.get("STAND_IN_CAPTURE"):
                with open(os.environ["STAND_IN_CAPTURE"], "a", encoding="utf-8") as capture:
                    capture.write(json.dumps({"headers": dict(response.headers), "event": event}) + "\n")
        try:
            answer = handle(event, kinesis, function_arn)
        except RuntimeError as e:
            post(f"invocation/{request_id}/error", {"errorType": "RuntimeError", "errorMessage": str(e)})
            continue
        post(f"invocation/{request_id}/response", answer)


if __name__ == "__main__":
    main()
