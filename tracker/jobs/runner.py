"""Running a job: under its lock, once at a time however many schedulers run, with one
log line and a heartbeat for each run.

A job runs only while it holds its lock: a PostgreSQL advisory lock (released by the
database if the process dies), or on SQLite a lease row in ``job_runs``. Any number of
scheduler processes may run; one does each job's work at a time.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from tracker.clock import utcnow
from tracker.extensions import db
from tracker.faults import pause_point
from tracker.jobs.models import JobRun
from tracker.logs import job_run, jobs_logger, redact

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=30)
OWNER = f"{socket.gethostname()}:{os.getpid()}"


def _lock_key(name: str) -> int:
    return zlib.crc32(f"tracker.job.{name}".encode())


@contextmanager
def _postgres_lock(name: str) -> Iterator[bool]:
    # A session lock on a connection of its own: it outlives the job's commits and
    # PostgreSQL drops it if the process is killed.
    with db.engine.connect() as conn:
        held = conn.execute(sa.select(sa.func.pg_try_advisory_lock(_lock_key(name)))).scalar()
        conn.commit()
        try:
            yield bool(held)
        finally:
            if held:
                _unlock(conn, name)


def _unlock(conn: sa.Connection, name: str) -> None:
    """Release the job's advisory lock; if the connection is broken, close it instead.

    A lock connection that died took its lock with it. One that cannot say whether it
    unlocked must not go back to the pool still holding the lock: closing it releases it.
    """
    try:
        conn.execute(sa.select(sa.func.pg_advisory_unlock(_lock_key(name))))
        conn.commit()
    except sa.exc.DBAPIError as error:
        logger.warning("Job %s: unlocking failed (%s); closing the connection", name, error)
        conn.invalidate()


def _owner_is_dead(owner: str | None) -> bool:
    """Tell whether a lease's owner was a process on this machine that no longer runs."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False


@contextmanager
def _lease_lock(name: str, now: datetime) -> Iterator[bool]:
    table = JobRun.__table__
    with db.engine.begin() as conn:
        exists = conn.execute(sa.select(table.c.name).where(table.c.name == name)).first()
        if exists is None:
            conn.execute(sa.insert(table).values(name=name))
    with db.engine.begin() as conn:
        taken = conn.execute(
            sa.update(table)
            .where(
                table.c.name == name,
                sa.or_(table.c.locked_until.is_(None), table.c.locked_until < now),
            )
            .values(locked_until=now + LEASE, owner=OWNER)
        ).rowcount
        if not taken:
            # A scheduler killed mid-job leaves its lease behind; on the same machine we
            # can see it is gone, and need not wait half an hour for the lease to end.
            owner = conn.execute(sa.select(table.c.owner).where(table.c.name == name)).scalar()
            if _owner_is_dead(owner):
                taken = conn.execute(
                    sa.update(table)
                    .where(table.c.name == name, table.c.owner == owner)
                    .values(locked_until=now + LEASE, owner=OWNER)
                ).rowcount
                if taken:
                    logger.warning("Job %s: took over the lease of dead process %s", name, owner)
    try:
        yield taken == 1
    finally:
        if taken == 1:
            with db.engine.begin() as conn:
                conn.execute(
                    sa.update(table)
                    .where(table.c.name == name, table.c.owner == OWNER)
                    .values(locked_until=None)
                )


@contextmanager
def job_lock(name: str, now: datetime) -> Iterator[bool]:
    """Hold the job's lock while the block runs; yields False if another process has it."""
    if db.engine.dialect.name == "postgresql":
        with _postgres_lock(name) as held:
            yield held
    else:
        with _lease_lock(name, now) as held:
            yield held


@dataclass(frozen=True)
class JobResult:
    """What a run did: a sentence for people and the figures behind it, for logs and metrics."""

    summary: str
    counts: dict[str, int] = field(default_factory=dict)


def _heartbeat(name: str, started: datetime, result: JobResult, duration_ms: int) -> None:
    table = JobRun.__table__
    values = {
        "last_started_at": started,
        "last_finished_at": utcnow(),
        "last_result": result.summary[:2000],
        "last_duration_ms": duration_ms,
        "last_counts": json.dumps(result.counts, sort_keys=True),
    }
    with db.engine.begin() as conn:
        updated = conn.execute(
            sa.update(table).where(table.c.name == name).values(runs=table.c.runs + 1, **values)
        ).rowcount
        if not updated:
            conn.execute(sa.insert(table).values(name=name, runs=1, **values))


def _record_failure(name: str, error: Exception) -> None:
    table = JobRun.__table__
    values = {
        "last_failed_at": utcnow(),
        "last_error": redact(f"{type(error).__name__}: {error}")[:2000],
    }
    try:
        with db.engine.begin() as conn:
            updated = conn.execute(
                sa.update(table)
                .where(table.c.name == name)
                .values(failures=table.c.failures + 1, **values)
            ).rowcount
            if not updated:
                conn.execute(sa.insert(table).values(name=name, failures=1, **values))
    except sa.exc.SQLAlchemyError:
        # The database may be why the job failed; the job's log line still tells.
        logger.warning("Could not record the failure of job %s", name, exc_info=True)


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def run_job(
    name: str, work: Callable[[datetime], JobResult | str], now: datetime | None = None
) -> str | None:
    """Run one job under its lock and log one line about it; return its summary, or None
    if another process had it. ``work`` returns a JobResult (or just a summary)."""
    now = now or utcnow()
    with job_run(name):
        started = time.perf_counter()
        with job_lock(name, now) as held:
            if not held:
                jobs_logger.info(
                    "Job %s skipped: another scheduler is running it",
                    name,
                    extra={"result": "skipped"},
                )
                return None
            try:
                outcome = work(now)
            except Exception as error:
                with contextlib.suppress(sa.exc.SQLAlchemyError):  # a dead connection: forget it
                    db.session.rollback()
                duration_ms = _elapsed_ms(started)
                _record_failure(name, error)
                jobs_logger.exception(
                    "Job %s failed after %s ms",
                    name,
                    duration_ms,
                    extra={"result": "failed", "duration_ms": duration_ms},
                )
                raise
            pause_point("job.finished")
            # The work committed what it did; end the read it may have left open, which on
            # SQLite holds the write lock (BEGIN IMMEDIATE) and would block the heartbeat's
            # connection, then the lock's release, until the busy timeout failed both.
            db.session.rollback()
            if not isinstance(outcome, JobResult):
                outcome = JobResult(outcome)
            duration_ms = _elapsed_ms(started)
            _heartbeat(name, now, outcome, duration_ms)
            jobs_logger.info(
                "Job %s done in %s ms: %s",
                name,
                duration_ms,
                outcome.summary,
                extra={"result": "ok", "duration_ms": duration_ms, "counts": outcome.counts},
            )
            return outcome.summary
