"""An HTTP proxy between the function (its AWS_ENDPOINT_URL) and the local stack that injects Kinesis faults.

While a fault window is open, PutRecords calls to the target stream fail for a share of their entries: the proxy
forwards only the other entries and answers with a well-formed PutRecords response in which the failed positions
carry `ErrorCode: ProvisionedThroughputExceededException` and `FailedRecordCount` counts them, exactly as Kinesis
does under throttling. Everything else (other operations, other streams, S3, SQS) passes through unchanged.
aws-sdk-kinesis speaks JSON 1.1 (`X-Amz-Target: Kinesis_20131202.PutRecords`), which is what is recognised here.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import logging
import random
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger("local_lambda.fault_proxy")

PUT_RECORDS_TARGET = "Kinesis_20131202.PutRecords"
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


@dataclasses.dataclass
class FaultPlan:
    """Fail `share` of the entries of the next `calls` PutRecords calls to `stream` (name or ARN suffix)."""

    stream: str
    share: float
    calls: int
    seed: int = 7


@dataclasses.dataclass
class FaultStats:
    put_records_calls: int = 0
    faulted_calls: int = 0
    entries_seen: int = 0
    entries_failed: int = 0


class FaultProxy:
    def __init__(self, upstream: str):
        parsed = urllib.parse.urlsplit(upstream)
        self._upstream_host = parsed.hostname or "127.0.0.1"
        self._upstream_port = parsed.port or 80
        self._lock = threading.Lock()
        self._plan: FaultPlan | None = None
        self._remaining_calls = 0
        self._random = random.Random(0)
        self.stats = FaultStats()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def inject(self, plan: FaultPlan) -> None:
        with self._lock:
            self._plan = plan
            self._remaining_calls = plan.calls
            self._random = random.Random(plan.seed)

    def fault_window_open(self) -> bool:
        with self._lock:
            return self._plan is not None and self._remaining_calls > 0

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------------------------------------------- faults
    def _targets_plan(self, request: dict) -> bool:
        plan = self._plan
        if plan is None or self._remaining_calls <= 0:
            return False
        stream = request.get("StreamName") or request.get("StreamARN") or ""
        return stream == plan.stream or stream.endswith(f"/{plan.stream}")

    def _choose_failures(self, request: dict) -> list[int] | None:
        """Positions to fail in this PutRecords request, or None to pass it through."""
        with self._lock:
            self.stats.put_records_calls += 1
            entries = request.get("Records") or []
            self.stats.entries_seen += len(entries)
            if not self._targets_plan(request):
                return None
            assert self._plan is not None
            self._remaining_calls -= 1
            failed = [i for i in range(len(entries)) if self._random.random() < self._plan.share]
            self.stats.faulted_calls += 1
            self.stats.entries_failed += len(failed)
            return failed

    @staticmethod
    def _throttled_entry(request: dict) -> dict:
        stream = request.get("StreamName") or request.get("StreamARN") or "stream"
        return {
            "ErrorCode": "ProvisionedThroughputExceededException",
            "ErrorMessage": f"Rate exceeded for shard shardId-000000000000 in stream {stream} under account "
                            "000000000000.",
        }

    # -------------------------------------------------------------------------------------------------- HTTP
    def _forward(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes):
        connection = http.client.HTTPConnection(self._upstream_host, self._upstream_port, timeout=120)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for key, value in headers:
                if key.lower() in HOP_BY_HOP or key.lower() == "content-length":
                    continue
                connection.putheader(key, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _handler_class(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                log.debug("proxy: " + fmt, *args)

            def _read_body(self) -> bytes:
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                for key, value in headers:
                    if key.lower() in HOP_BY_HOP or key.lower() == "content-length":
                        continue
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _handle(self):
                body = self._read_body()
                headers = list(self.headers.items())
                if self.headers.get("X-Amz-Target") == PUT_RECORDS_TARGET:
                    try:
                        request = json.loads(body)
                    except ValueError:
                        request = None
                    if isinstance(request, dict):
                        failed = proxy._choose_failures(request)
                        if failed:
                            return self._put_records_with_failures(request, failed, headers)
                status, response_headers, response_body = proxy._forward(self.command, self.path, headers, body)
                self._send(status, response_headers, response_body)

            def _put_records_with_failures(self, request: dict, failed: list[int], headers):
                entries = request["Records"]
                failed_set = set(failed)
                forwarded = [entry for i, entry in enumerate(entries) if i not in failed_set]
                upstream_results: list[dict] = []
                upstream_failed = 0
                response_headers = [("Content-Type", "application/x-amz-json-1.1")]
                if forwarded:
                    # The body changed, so the original signature no longer matches; the emulator does not check it.
                    forward_body = json.dumps({**request, "Records": forwarded}).encode()
                    status, response_headers, raw = proxy._forward(self.command, self.path, headers, forward_body)
                    if status != 200:
                        return self._send(status, response_headers, raw)
                    upstream = json.loads(raw)
                    upstream_results = upstream["Records"]
                    upstream_failed = int(upstream.get("FailedRecordCount") or 0)
                results = iter(upstream_results)
                merged = [proxy._throttled_entry(request) if i in failed_set else next(results)
                          for i in range(len(entries))]
                response = {"FailedRecordCount": len(failed) + upstream_failed, "Records": merged,
                            "EncryptionType": "NONE"}
                self._send(200, [(k, v) for k, v in response_headers if k.lower() != "content-type"]
                           + [("Content-Type", "application/x-amz-json-1.1")], json.dumps(response).encode())

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        return Handler
