"""What the scheduler's jobs leave behind: each job's lock (SQLite), heartbeat and counts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.dbtypes import UTCDateTime
from tracker.extensions import db


class JobRun(db.Model):
    """A scheduler job's lock (for SQLite; PostgreSQL uses advisory locks) and heartbeat.

    ``last_*`` describe the last run that finished; a run that failed since leaves its
    time and error in ``last_failed_at`` and ``last_error``. ``runs`` and ``failures``
    only grow: /metrics reports them as counters.
    """

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    owner: Mapped[str | None] = mapped_column(sa.String(120))
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[str | None] = mapped_column(sa.Text)
    last_duration_ms: Mapped[int | None] = mapped_column()
    last_counts: Mapped[str | None] = mapped_column(sa.Text)  # JSON: {"created": 3, …}
    runs: Mapped[int] = mapped_column(default=0, server_default="0")
    failures: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
