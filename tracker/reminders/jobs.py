"""The scheduler's jobs, each safe to run again and to run twice at once.

A job runs only while it holds its lock: a PostgreSQL advisory lock (released by the
database if the process dies), or on SQLite a lease row in ``job_runs``. Any number of
scheduler processes may run; one does each job's work at a time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa

from tracker.clock import utcnow
from tracker.extensions import db
from tracker.faults import pause_point
from tracker.notify.email import SmtpSender
from tracker.notify.services import deliver_digests, deliver_pending
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


def _heartbeat(name: str, started: datetime, result: str) -> None:
    table = JobRun.__table__
    with db.engine.begin() as conn:
        updated = conn.execute(
            sa.update(table)
            .where(table.c.name == name)
            .values(last_started_at=started, last_finished_at=utcnow(), last_result=result[:2000])
        ).rowcount
        if not updated:
            conn.execute(
                sa.insert(table).values(
                    name=name,
                    last_started_at=started,
                    last_finished_at=utcnow(),
                    last_result=result[:2000],
                )
            )


def run_job(name: str, work: Callable[[datetime], str], now: datetime | None = None) -> str | None:
    """Run one job under its lock; return its summary, or None if another process had it."""
    now = now or utcnow()
    with job_lock(name, now) as held:
        if not held:
            logger.info("Job %s skipped: another scheduler is running it", name)
            return None
        try:
            summary = work(now)
        except Exception:
            with contextlib.suppress(sa.exc.SQLAlchemyError):  # a dead connection: forget it
                db.session.rollback()
            logger.exception("Job %s failed", name)
            raise
        pause_point("job.finished")
        _heartbeat(name, now, summary)
        return summary


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


def describe(result: SweepResult) -> str:
    names = {
        "reminder": "nhắc hạn",
        "warning": "cảnh báo quá hạn",
        "urging": "đôn đốc",
        "escalation": "hồ sơ chuyển Sở Nội vụ",
        "late": "trong đó gửi muộn",
    }
    return ", ".join(f"{names.get(k, k)}: {result.created.get(k, 0)}" for k in names)


def series_job(now: datetime) -> str:
    """Create the occurrences of recurring tasks whose day has come, in one transaction."""
    try:
        result = create_occurrences(now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return (
        f"nhiệm vụ định kỳ: tạo {result.created}, lỗi {result.failed}, "
        f"bỏ qua vì đã quá hạn {result.skipped_past_due}"
    )


def deliver_job(now: datetime) -> str:
    """Send what waits in the outbox: deliveries to other systems, then emails."""
    hooks_sent, hooks_failed = deliver_webhooks(now)
    parts = [f"webhook: đã gửi {hooks_sent}, lỗi {hooks_failed}"]
    sender = SmtpSender.from_app()
    if sender.configured:
        sent, failed = deliver_pending(now, sender)
        parts.append(f"thư: đã gửi {sent}, lỗi {failed}")
        # A morning digest the mail server refused goes as soon as it can, not tomorrow.
        sent, failed = deliver_digests(now, sender, retries_only=True)
        if sent or failed:
            parts.append(f"thư tổng hợp gửi lại: đã gửi {sent}, lỗi {failed}")
    else:
        parts.append("SMTP_HOST chưa cấu hình; thư chờ trong hàng đợi.")
    return "; ".join(parts)


def digest_job(now: datetime) -> str:
    """Send the morning digest to those who chose it."""
    sender = SmtpSender.from_app()
    if not sender.configured:
        return "SMTP_HOST chưa cấu hình; thư chờ trong hàng đợi."
    sent, failed = deliver_digests(now, sender)
    return f"đã gửi {sent} thư tổng hợp, lỗi {failed}"
