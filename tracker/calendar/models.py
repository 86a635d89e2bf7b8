"""Days an admin declares off or working, on top of the public-holiday calendar."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.clock import utcnow
from tracker.dbtypes import UTCDateTime, enum_column
from tracker.extensions import db


class DayKind(enum.StrEnum):
    DAY_OFF = "day_off"  # e.g. an extra day off the government announces (nghỉ bù)
    WORKING_DAY = "working_day"  # e.g. a Saturday worked in exchange (làm bù)


class CalendarOverride(db.Model):
    __tablename__ = "calendar_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True)
    kind: Mapped[DayKind] = mapped_column(enum_column(DayKind, "day_kind"))
    note: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkDay(db.Model):
    """The working calendar as a table, so SQL can count working days.

    ``seq`` is the number of working days from the table's first day up to and
    including this one (a day off shares the count of the working day before it).
    So "k working days after D" is the working day whose seq is seq(D) + k, and a
    task due on D is seq(today) - seq(D) working days late.
    """

    __tablename__ = "work_days"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    is_working: Mapped[bool] = mapped_column()
    seq: Mapped[int] = mapped_column(index=True)
