"""One Lambda execution environment: a Lambda Runtime API server on 127.0.0.1 and the function process behind it.

The function is started with the environment Lambda gives a custom runtime and talks to the server exactly as it
would to Lambda (`/2018-06-01/runtime/invocation/next`, `.../{id}/response`, `.../{id}/error`, `/init/error`).
An invocation waits for the function's answer until the deadline; a timed-out or crashed function is killed and
re-initialised on the next invocation, and failed inits are retried with exponential backoff, as Lambda does.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import logging
import os
import secrets
import subprocess
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger("local_lambda.runtime")

API_PREFIX = "/2018-06-01"


@dataclasses.dataclass(frozen=True)
class FunctionConfig:
    """What Lambda knows about a function."""

    name: str
    command: list[str]
    environment: dict[str, str]
    region: str
    account_id: str
    memory_mb: int = 512
    timeout_s: float = 60.0
    init_timeout_s: float = 30.0
    version: str = "$LATEST"
    log_path: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"


@dataclasses.dataclass(frozen=True)
class InvocationResult:
    """How one invocation ended: `ok` (body is the function's response) or an error kind with Lambda's type."""

    ok: bool
    body: bytes
    error_type: str | None = None
    error_message: str | None = None

    def json(self):
        return json.loads(self.body) if self.body.strip() else None


@dataclasses.dataclass(frozen=True)
class InitFailure:
    """One failed initialisation, as Lambda would log it."""

    at: float
    error_type: str
    error_message: str


class _Invocation:
    def __init__(self, payload: bytes, deadline_s: float, function_arn: str):
        self.request_id = str(uuid.uuid4())
        self.payload = payload
        self.deadline_s = deadline_s
        self.function_arn = function_arn
        self.trace_id = (
            f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)};Parent={secrets.token_hex(8)};Sampled=0"
        )
        self.done = threading.Event()
        self.result: InvocationResult | None = None

    def finish(self, result: InvocationResult) -> bool:
        if self.done.is_set():
            return False
        self.result = result
        self.done.set()
        return True


class ExecutionEnvironment:
    """A Runtime API server plus the function process; `invoke` is safe to call from one thread at a time."""

    def __init__(self, config: FunctionConfig, backoff_initial_s: float = 0.5, backoff_max_s: float = 8.0):
        self.config = config
        self._backoff_initial_s = backoff_initial_s
        self._backoff_max_s = backoff_max_s
        self._lock = threading.Condition()
        self._pending: _Invocation | None = None  # queued, not yet handed to the function
        self._in_flight: _Invocation | None = None  # handed out by /next, no answer yet
        self._process: subprocess.Popen | None = None
        self._generation = 0  # bumps on every (re)start so a stale process cannot answer for a new one
        self._ready = False  # the current process has called /next at least once
        self._init_error: InitFailure | None = None
        self._consecutive_init_failures = 0
        self._next_start_at = 0.0
        self._log_tail: collections.deque[str] = collections.deque(maxlen=200)
        self._log_file = open(config.log_path, "a", encoding="utf-8") if config.log_path else None
        self.init_failures: list[InitFailure] = []
        self.cold_starts = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._server_thread = threading.Thread(target=self._server.serve_forever, name="runtime-api", daemon=True)
        self._server_thread.start()

    @property
    def runtime_api(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    # ------------------------------------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        with self._lock:
            self._kill_locked("environment closed")
        self._server.shutdown()
        self._server.server_close()
        if self._log_file:
            self._log_file.close()

    def log_tail(self) -> list[str]:
        with self._lock:
            return list(self._log_tail)

    def _function_env(self) -> dict[str, str]:
        cfg = self.config
        day = time.strftime("%Y/%m/%d", time.gmtime())
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "_HANDLER": "bootstrap",
            "LAMBDA_TASK_ROOT": os.path.dirname(os.path.abspath(cfg.command[0])),
            "LAMBDA_RUNTIME_DIR": os.path.dirname(os.path.abspath(cfg.command[0])),
            "AWS_LAMBDA_RUNTIME_API": self.runtime_api,
            "AWS_LAMBDA_FUNCTION_NAME": cfg.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(cfg.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": cfg.version,
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{cfg.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"{day}/[{cfg.version}]{secrets.token_hex(16)}",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": cfg.region,
            "AWS_DEFAULT_REGION": cfg.region,
        }
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            if os.environ.get(key):
                env[key] = os.environ[key]
        env.update(cfg.environment)
        return env

    def _start_locked(self) -> None:
        wait = self._next_start_at - time.monotonic()
        if wait > 0:
            # Backoff after failed inits: release the lock so the server threads keep answering meanwhile.
            self._lock.wait(wait)
        self._generation += 1
        self._ready = False
        self._init_error = None
        self.cold_starts += 1
        generation = self._generation
        log.info("starting %s (cold start %d)", self.config.command[0], self.cold_starts)
        self._process = subprocess.Popen(
            self.config.command,
            env=self._function_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        threading.Thread(
            target=self._pump_output, args=(self._process, generation), name="function-output", daemon=True
        ).start()

    def _pump_output(self, process: subprocess.Popen, generation: int) -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lock:
                self._log_tail.append(line)
                if self._log_file:
                    self._log_file.write(line + "\n")
                    self._log_file.flush()
        code = process.wait()
        with self._lock:
            if generation != self._generation:
                return
            tail = "\n".join(list(self._log_tail)[-20:])
            message = f"Runtime exited with error: exit status {code}" + (f"\n{tail}" if tail else "")
            if not self._ready:
                self._record_init_failure_locked("Runtime.ExitError", message)
            if self._in_flight is not None:
                self._in_flight.finish(InvocationResult(False, b"", "Runtime.ExitError", message))
                self._in_flight = None
            self._process = None
            self._lock.notify_all()

    def _record_init_failure_locked(self, error_type: str, message: str) -> None:
        if self._init_error is not None:
            return  # already recorded for this start (e.g. /init/error, then the exit)
        failure = InitFailure(time.time(), error_type, message)
        self._init_error = failure
        self.init_failures.append(failure)
        self._consecutive_init_failures += 1
        delay = min(self._backoff_max_s, self._backoff_initial_s * 2 ** (self._consecutive_init_failures - 1))
        self._next_start_at = time.monotonic() + delay
        log.warning("init failed (%s): %s; next start in %.1fs", error_type, message, delay)

    def _kill_locked(self, why: str) -> None:
        process, self._process = self._process, None
        self._generation += 1
        self._ready = False
        if process is not None and process.poll() is None:
            log.info("stopping function process %d: %s", process.pid, why)
            try:
                os.killpg(process.pid, 9)
            except ProcessLookupError:
                pass
        self._lock.notify_all()

    # ----------------------------------------------------------------------------------------------- invocation
    def invoke(self, payload: bytes) -> InvocationResult:
        """Runs one invocation to its end; init failures and timeouts come back as error results."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start_locked()
            generation = self._generation
            init_deadline = time.monotonic() + self.config.init_timeout_s
            while not self._ready:
                if self._init_error is not None or generation != self._generation:
                    failure = self._init_error
                    self._kill_locked("init failed")
                    if failure is None:
                        return InvocationResult(False, b"", "Runtime.Unknown", "function process went away")
                    return InvocationResult(False, b"", failure.error_type, failure.error_message)
                remaining = init_deadline - time.monotonic()
                if remaining <= 0:
                    self._record_init_failure_locked(
                        "Runtime.InitTimeout", f"init did not finish within {self.config.init_timeout_s:.0f}s"
                    )
                    continue
                self._lock.wait(min(remaining, 0.5))
            invocation = _Invocation(payload, time.time() + self.config.timeout_s, self.config.arn)
            self._pending = invocation
            self._lock.notify_all()
        if not invocation.done.wait(self.config.timeout_s + 1.0):
            with self._lock:
                timed_out = invocation.finish(
                    InvocationResult(
                        False,
                        b"",
                        "Sandbox.Timedout",
                        f"Task timed out after {self.config.timeout_s:.2f} seconds",
                    )
                )
                if timed_out:
                    self._pending = self._in_flight = None
                    self._kill_locked("invocation timed out")
        assert invocation.result is not None
        return invocation.result

    # ------------------------------------------------------------------------------------------------ HTTP side
    def _next_invocation(self, stop: threading.Event) -> _Invocation | None:
        with self._lock:
            self._ready = True
            self._consecutive_init_failures = 0
            self._lock.notify_all()
            generation = self._generation
            while self._pending is None:
                if generation != self._generation or stop.is_set():
                    return None
                self._lock.wait(0.5)
            invocation, self._pending = self._pending, None
            self._in_flight = invocation
            return invocation

    def _answer(self, request_id: str, result: InvocationResult) -> bool:
        with self._lock:
            invocation = self._in_flight
            if invocation is None or invocation.request_id != request_id:
                return False
            self._in_flight = None
            return invocation.finish(result)

    def _init_error_reported(self, error_type: str, message: str) -> None:
        with self._lock:
            self._record_init_failure_locked(error_type, message)
            self._lock.notify_all()

    def _handler_class(self):
        env = self
        shutdown = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "local-lambda-runtime-api"

            def log_message(self, fmt, *args):  # the function's own log is what matters
                log.debug("runtime api: " + fmt, *args)

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _reply(self, status: HTTPStatus, body: bytes = b"", headers: dict[str, str] | None = None):
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                try:
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    # The function process went away first (it was stopped or replaced): nobody to answer.
                    self.close_connection = True

            def do_GET(self):
                if self.path != f"{API_PREFIX}/runtime/invocation/next":
                    return self._reply(HTTPStatus.NOT_FOUND, b'{"errorMessage":"unknown path"}')
                invocation = env._next_invocation(shutdown)
                if invocation is None:
                    # The function was replaced or stopped: close this long poll without an event.
                    self.close_connection = True
                    return self._reply(HTTPStatus.GONE, b'{"errorMessage":"runtime replaced"}')
                self._reply(
                    HTTPStatus.OK,
                    invocation.payload,
                    {
                        "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                        "Lambda-Runtime-Deadline-Ms": str(int(invocation.deadline_s * 1000)),
                        "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
                        "Lambda-Runtime-Trace-Id": invocation.trace_id,
                    },
                )

            def do_POST(self):
                body = self._body()
                path = self.path
                invocation_prefix = f"{API_PREFIX}/runtime/invocation/"
                if path == f"{API_PREFIX}/runtime/init/error":
                    error_type, message = _error_fields(body, self.headers)
                    env._init_error_reported(error_type, message)
                    return self._reply(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
                if path.startswith(invocation_prefix):
                    request_id, _, action = path[len(invocation_prefix):].partition("/")
                    if action == "response":
                        accepted = env._answer(request_id, InvocationResult(True, body))
                    elif action == "error":
                        error_type, message = _error_fields(body, self.headers)
                        accepted = env._answer(request_id, InvocationResult(False, body, error_type, message))
                    else:
                        return self._reply(HTTPStatus.NOT_FOUND, b'{"errorMessage":"unknown path"}')
                    if accepted:
                        return self._reply(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
                    return self._reply(
                        HTTPStatus.BAD_REQUEST,
                        b'{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}',
                    )
                self._reply(HTTPStatus.NOT_FOUND, b'{"errorMessage":"unknown path"}')

        return Handler


def _error_fields(body: bytes, headers) -> tuple[str, str]:
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        parsed = {}
    if not isinstance(parsed, dict):
        parsed = {}
    error_type = str(parsed.get("errorType") or headers.get("Lambda-Runtime-Function-Error-Type") or "Unhandled")
    message = str(parsed.get("errorMessage") or body.decode("utf-8", "replace"))
    return error_type, message
