"""What the fault tests share: servers that go down and up, database faults on cue,
scheduler commands run (and killed) in their own processes, and the figures they record.

The figures go to ``test-artifacts/reliability/<test>.<database>.json`` (git-ignored), for
docs/RELIABILITY.md: faults injected, messages, kills, and what was lost (nothing).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.conftest import POSTGRES_URL
from tracker.extensions import db

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "reliability"
DATABASE = "postgresql" if POSTGRES_URL else "sqlite"


def write_summary(test: str, **figures) -> None:
    """Record a fault test's figures as JSON beside the other test artifacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    body = {"test": test, "database": DATABASE, **figures}
    path = ARTIFACTS / f"{test}.{DATABASE}.json"
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False, default=str) + "\n")


def free_port() -> int:
    """Return a loopback port nobody listens on (aiosmtpd cannot pick one itself)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ------------------------------------------------------------------ an SMTP server


class MailServer:
    """A real SMTP server on a fixed loopback port, started and stopped at will; it keeps
    every message it accepted, across restarts."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def message_ids(self) -> Counter:
        return Counter(str(m["Message-ID"]) for m in self.messages)


# ------------------------------------------------------------------ a webhook receiver


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.owner.received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class HookReceiver:
    """An HTTP receiver of webhooks on a fixed loopback port, down until started."""

    def __init__(self):
        self.port = free_port()
        self.received = []
        self._server: HTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        self._server = HTTPServer(("127.0.0.1", self.port), _Hook)
        self._server.owner = self
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def delivery_ids(self) -> Counter:
        return Counter(headers["X-Tracker-Delivery"] for headers, _ in self.received)


# ------------------------------------------------------------------ database faults


class DatabaseFault:
    """Drop the database connection at an exact point of the work that follows.

    ``at`` is a pattern the SQL statement matches from its start (``INSERT .*INTO
    notifications``; SQLite's ``INSERT OR IGNORE`` matches too) or "COMMIT", ``nth``
    which occurrence of it. On PostgreSQL the connection's backend is really
    terminated from another connection (``pg_terminate_backend``), so the statement
    meets a dead connection; on SQLite, which has no server to lose, the driver raises
    the OperationalError it raises when the database file cannot be used.
    """

    def __init__(self, engine: sa.Engine, at: str, nth: int = 1, everyone: bool = False):
        self.engine, self.at, self.nth = engine, at, nth
        self.pattern = re.compile(at, re.IGNORECASE | re.DOTALL)
        self.everyone = everyone  # PostgreSQL: drop every connection, as a restart does
        self.seen = 0
        self.fired = 0
        self._real_commit = None

    def _due(self, statement: str) -> bool:
        if self.fired or not self.pattern.match(statement.lstrip()):
            return False
        self.seen += 1
        return self.seen == self.nth

    def _drop(self, dbapi_connection) -> None:
        self.fired += 1
        # do_commit is handed the pool's proxy; statements, the driver's connection.
        dbapi_connection = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)
        if self.engine.dialect.name == "postgresql":
            terminate_backends(None if self.everyone else [dbapi_connection.info.backend_pid])
        else:
            raise self.engine.dialect.loaded_dbapi.OperationalError("disk I/O error")

    def _before_execute(self, conn, cursor, statement, parameters, context, executemany):
        if self._due(statement):
            self._drop(conn.connection.dbapi_connection)
        return statement, parameters

    def _do_commit(self, dbapi_connection):
        if self._due("COMMIT"):
            self._drop(dbapi_connection)
        return self._real_commit(dbapi_connection)

    def __enter__(self) -> DatabaseFault:
        if self.at == "COMMIT":
            self._real_commit = self.engine.dialect.do_commit
            self.engine.dialect.do_commit = self._do_commit
        else:
            sa.event.listen(self.engine, "before_cursor_execute", self._before_execute, retval=True)
        return self

    def __exit__(self, *exc) -> None:
        if self.at == "COMMIT":
            self.engine.dialect.do_commit = self._real_commit
        else:
            sa.event.remove(self.engine, "before_cursor_execute", self._before_execute)


class LostCommitReply:
    """The COMMIT reaches the database and is applied, but its answer never comes back."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.fired = 0

    def __enter__(self) -> LostCommitReply:
        self._real = self.engine.dialect.do_commit

        def commit_then_drop(dbapi_connection):
            self._real(dbapi_connection)
            if not self.fired:
                self.fired += 1
                raise self.engine.dialect.loaded_dbapi.OperationalError(
                    "server closed the connection unexpectedly"
                    if self.engine.dialect.name == "postgresql"
                    else "disk I/O error"
                )

        self.engine.dialect.do_commit = commit_then_drop
        return self

    def __exit__(self, *exc) -> None:
        self.engine.dialect.do_commit = self._real


def terminate_backends(pids: list[int] | None = None) -> int:
    """Terminate these PostgreSQL backends (default: every other one of this database),
    from a connection of their own, and wait until they are gone; return how many."""
    url = sa.make_url(POSTGRES_URL)
    import psycopg

    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
    ) as conn:
        if pids is None:
            pids = [
                row[0]
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ]
        for pid in pids:
            # With a timeout, PostgreSQL answers once the backend has really exited.
            conn.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
    return len(pids)


# ------------------------------------------------------------------ commands in processes


def without_faked_clock(environ) -> dict:
    """The environment, less libfaketime's: a process the test starts takes its time from
    TRACKER_NOW, never from a shifted machine clock (under which Debian's libfaketime 0.9.10
    also stalls Python's timed waits, so a process could not even exit)."""
    return {
        key: value
        for key, value in environ.items()
        if not (
            key.startswith("FAKETIME")
            or key == "DONT_FAKE_MONOTONIC"
            or (key == "LD_PRELOAD" and "faketime" in value)
        )
    }


def command_environment(app, **extra) -> dict:
    """The environment of a ``tracker`` command working on the test's database."""
    env = {
        key: value
        for key, value in without_faked_clock(os.environ).items()
        if not key.startswith("TRACKER_FAULT")
    }
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY="test",
        UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
        # The command's clock starts where the test's stands and runs on from there, so
        # its leases expire and its retries come due as they would on the machine's clock.
        TRACKER_NOW=app.config["TRACKER_NOW"].isoformat(),
        TRACKER_CLOCK_RUNS="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def tracker_command(*args: str) -> list[str]:
    """The ``tracker`` console script with these arguments."""
    script = ROOT / ".venv" / "bin" / "tracker"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from tracker.cli import main; main()", *args]


def release_database() -> None:
    """End the test's own transaction, so a command in another process can write."""
    db.session.rollback()
    db.session.expire_all()


def run_command(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Run a ``tracker`` command to its end; fail the test with its output if it fails."""
    release_database()
    done = subprocess.run(
        tracker_command(*args), env=env, cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def kill_at(env: dict, point: str, tmp_path: Path, *args: str) -> str:
    """Run a ``tracker`` command until it reaches a pause point, then SIGKILL it.

    Returns the point reached. Fails if the command ended without reaching it.
    """
    release_database()
    signal_file = tmp_path / f"pause-{time.monotonic_ns()}"
    process = subprocess.Popen(
        tracker_command(*args),
        env={**env, "TRACKER_FAULT_PAUSE": point, "TRACKER_FAULT_FILE": str(signal_file)},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not signal_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = process.communicate()[0]
            raise AssertionError(f"{point} was never reached:\n{output[-4000:]}")
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    reached = signal_file.read_text().split()[0]
    signal_file.unlink()
    return reached
