"""The scheduler's jobs, each safe to run again and to run twice at once.

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
from tracker.notify.email import SmtpSender
from tracker.notify.services import deliver_digests, deliver_pending
from tracker.observability.logs import job_run, jobs_logger, redact
from tracker.reminders.models import JobRun
from tracker.reminders.sweep import SweepResult, run_sweep
from tracker.tasks.series import create_occurrences
from tracker.webhooks.services import deliver_webhooks

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


def sweep_job(now: datetime) -> SweepResult:
    """Run the sweep in one transaction."""
    try:
        result = run_sweep(now)
        pause_point("sweep.before_commit")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


SWEEP_KINDS = {
    "reminder": "nhắc hạn",
    "warning": "cảnh báo quá hạn",
    "urging": "đôn đốc",
    "escalation": "hồ sơ chuyển Sở Nội vụ",
    "late": "trong đó gửi muộn",
}


def describe(result: SweepResult) -> JobResult:
    """Return what a sweep created, by kind, as a sentence and as figures."""
    counts = {kind: result.created.get(kind, 0) for kind in SWEEP_KINDS}
    return JobResult(
        ", ".join(f"{label}: {counts[kind]}" for kind, label in SWEEP_KINDS.items()), counts
    )


def sweep_work(now: datetime) -> JobResult:
    """Run the sweep and describe what it created (the scheduler's and the command's job)."""
    return describe(sweep_job(now))


def series_job(now: datetime) -> JobResult:
    """Create the occurrences of recurring tasks whose day has come, in one transaction."""
    try:
        result = create_occurrences(now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return JobResult(
        f"nhiệm vụ định kỳ: tạo {result.created}, lỗi {result.failed}, "
        f"bỏ qua vì đã quá hạn {result.skipped_past_due}",
        {
            "created": result.created,
            "failed": result.failed,
            "skipped_past_due": result.skipped_past_due,
        },
    )


NO_SMTP = "SMTP_HOST chưa cấu hình; thư chờ trong hàng đợi."


def deliver_job(now: datetime) -> JobResult:
    """Send what waits in the outbox: deliveries to other systems, then emails."""
    hooks_sent, hooks_failed = deliver_webhooks(now)
    parts = [f"webhook: đã gửi {hooks_sent}, lỗi {hooks_failed}"]
    counts = {"webhooks_delivered": hooks_sent, "webhooks_failed": hooks_failed}
    sender = SmtpSender.from_app()
    if sender.configured:
        sent, failed = deliver_pending(now, sender)
        parts.append(f"thư: đã gửi {sent}, lỗi {failed}")
        counts |= {"emails_delivered": sent, "emails_failed": failed}
        # A morning digest the mail server refused goes as soon as it can, not tomorrow.
        sent, failed = deliver_digests(now, sender, retries_only=True)
        if sent or failed:
            parts.append(f"thư tổng hợp gửi lại: đã gửi {sent}, lỗi {failed}")
        counts |= {"digests_retried": sent, "digests_failed": failed}
    else:
        parts.append(NO_SMTP)
    return JobResult("; ".join(parts), counts)


def digest_job(now: datetime) -> JobResult:
    """Send the morning digest to those who chose it."""
    sender = SmtpSender.from_app()
    if not sender.configured:
        return JobResult(NO_SMTP)
    sent, failed = deliver_digests(now, sender)
    return JobResult(
        f"đã gửi {sent} thư tổng hợp, lỗi {failed}", {"delivered": sent, "failed": failed}
    )
