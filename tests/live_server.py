"""The tracker in a real server process, and clients that call it from many threads at once.

The server is gunicorn running ``wsgi:app`` — the production entry point — with several
workers and threads, on a free port of 127.0.0.1, against the test's own database (the
SQLite file of the test, or its PostgreSQL database). Requests go over real sockets, so
they overlap the way they do in production: in several processes and several threads.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from tests.faults import without_faked_clock

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "reliability"
START_TIMEOUT = 60  # seconds; gunicorn's workers import the whole app
REQUEST_TIMEOUT = 60


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Answer:
    status: int
    body: dict | str
    headers: dict[str, str]

    @property
    def json(self) -> dict:
        assert isinstance(self.body, dict), self.body
        return self.body


class LiveServer:
    """gunicorn serving the tracker on the given database; stopped by ``stop()``."""

    def __init__(
        self,
        database_url: str,
        instance: Path,
        *,
        now: datetime,
        workers: int = 2,
        threads: int = 8,
    ):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = instance / f"gunicorn-{self.port}.log"
        env = {
            **without_faked_clock(os.environ),
            "DATABASE_URL": database_url,
            "SECRET_KEY": "live-server-test",
            "UPLOAD_FOLDER": str(instance / "uploads"),
            "MAX_UPLOAD_MB": "1",
            # One sign-in per person in these tests; the limit is not what they measure.
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "TRACKER_BASE_URL": self.base,
            # The server's clock stands where the test's does (tracker.clock).
            "TRACKER_NOW": now.isoformat(),
        }
        env.pop("TRACKER_ENV", None)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
            # Import the app once, before the workers fork: they start in half the time.
            "--preload",
            "wsgi:app",
        ]
        if os.environ.get("LIVE_SERVER_CONFIG"):  # e.g. hooks to dump the threads' stacks
            command[3:3] = ["--config", os.environ["LIVE_SERVER_CONFIG"]]
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log()}")
            try:
                if self.request("GET", "/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT} s:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def tracebacks(self) -> list[str]:
        """Return the lines of the server's log that report an unhandled error."""
        return [
            line
            for line in self.log().splitlines()
            if "Traceback" in line or "Unhandled" in line or " ERROR " in line
        ]

    def stop(self) -> None:
        if self.process.poll() is None:
            # SIGINT is gunicorn's quick shutdown: the tests have read every answer already.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: dict | None = None,
        form: dict | Sequence[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """Send one request on a connection of its own and read the whole answer."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        sent = dict(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            raw = response.read()
            answer_headers = {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()
        text = raw.decode("utf-8", errors="replace")
        parsed: dict | str = text
        if answer_headers.get("content-type", "").startswith("application/json"):
            parsed = json.loads(text)
        return Answer(response.status, parsed, answer_headers)


def all_at_once(calls: Sequence[Callable[[], Answer]]) -> list[Answer]:
    """Run the calls from one thread each, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Answer]) -> Answer:
        barrier.wait(timeout=REQUEST_TIMEOUT)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def write_summary(name: str, summary: dict) -> Path:
    """Keep a test's figures in test-artifacts/reliability/<name>.json (for RELIABILITY.md)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.json"
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return path
