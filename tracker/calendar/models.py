"""Days an admin declares off or working, on top of the public-holiday calendar."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.clock import utcnow
from tracker.dbtypes import UTCDateTime
from tracker.extensions import db
from tracker.org.models import _enum


class DayKind(enum.StrEnum):
    DAY_OFF = "day_off"  # e.g. an extra day off the government announces (nghỉ bù)
    WORKING_DAY = "working_day"  # e.g. a Saturday worked in exchange (làm bù)


class CalendarOverride(db.Model):
    __tablename__ = "calendar_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True)
    kind: Mapped[DayKind] = mapped_column(_enum(DayKind, "day_kind"))
    note: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
