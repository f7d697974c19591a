"""Run a function binary as a local Lambda fed by a Kinesis event source mapping.

    python -m local_lambda --binary target/release/stresslens-lambda --stream posts \\
        --env MODEL_URI=s3://bucket/key --env PREDICTIONS_STREAM=predictions [--batch-size 100] ...

Runs until SIGTERM or SIGINT; writes its PID to --pid-file and the function's log to --function-log.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from .event_source import MappingConfig
from .harness import HarnessConfig, LocalLambda, kinesis_client, stream_arn
from .runtime import FunctionConfig


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="local_lambda", description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", required=True, help="the function's bootstrap executable")
    p.add_argument("--stream", required=True, help="input stream name or ARN")
    p.add_argument("--function-name", default="stresslens")
    p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="function environment")
    p.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"))
    p.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    p.add_argument("--account-id", default="000000000000")
    p.add_argument("--role-arn", default=None)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--starting-position", choices=["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"], default="TRIM_HORIZON")
    p.add_argument("--starting-timestamp", type=float, default=None, help="seconds since the epoch, for AT_TIMESTAMP")
    p.add_argument("--max-retry-attempts", type=int, default=-1)
    p.add_argument("--bisect-on-error", action="store_true")
    p.add_argument("--timeout", type=float, default=60.0, help="function timeout in seconds")
    p.add_argument("--memory", type=int, default=512)
    p.add_argument("--concurrency", type=int, default=1, help="execution environments")
    p.add_argument("--function-log", default=None)
    p.add_argument("--pid-file", default=None)
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s local-lambda %(levelname)s %(message)s")
    environment = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print(f"local_lambda: --env wants KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        environment[key] = value
    if args.starting_position == "AT_TIMESTAMP" and args.starting_timestamp is None:
        print("local_lambda: --starting-position AT_TIMESTAMP needs --starting-timestamp", file=sys.stderr)
        return 2
    if not os.access(args.binary, os.X_OK):
        print(f"local_lambda: {args.binary} is not an executable file", file=sys.stderr)
        return 2
    arn = stream_arn(kinesis_client(args.endpoint_url, args.region), args.stream)
    config = HarnessConfig(
        function=FunctionConfig(
            name=args.function_name, command=[os.path.abspath(args.binary)], environment=environment,
            region=args.region, account_id=args.account_id, memory_mb=args.memory, timeout_s=args.timeout,
            log_path=args.function_log,
        ),
        mapping=MappingConfig(
            stream_arn=arn, region=args.region,
            role_arn=args.role_arn or f"arn:aws:iam::{args.account_id}:role/{args.function_name}-local",
            batch_size=args.batch_size, starting_position=args.starting_position,
            starting_timestamp=args.starting_timestamp,
            max_retry_attempts=args.max_retry_attempts, bisect_on_error=args.bisect_on_error,
        ),
        endpoint_url=args.endpoint_url,
        concurrency=args.concurrency,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.pid_file:
        with open(args.pid_file, "w", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
    harness = LocalLambda(config).start()
    try:
        stop.wait()
    finally:
        harness.stop()
        if args.pid_file and os.path.exists(args.pid_file):
            os.remove(args.pid_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
