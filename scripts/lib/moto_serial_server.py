"""moto server on one address, answering one request at a time.

moto's Kinesis shards are not safe for concurrency (moto 5.2 `Shard.put_record`: "this function is not safe for
concurrency"): two PutRecords calls handled at once take the same sequence numbers and overwrite each other's
records. stresslens sends its PutRecords chunks concurrently, so the threaded `python3 -m moto.server` loses some of
them (measured: 12-37 of 10,000 predictions). Serial handling is what a real stream guarantees.

    python3 scripts/lib/moto_serial_server.py HOST PORT
"""
import os
import sys

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    run_simple(host, port, DomainDispatcherApplication(create_backend_app), threaded=False)


if __name__ == "__main__":
    main()
