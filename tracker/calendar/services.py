"""Count working days the way Vietnamese administrations do.

A day is a working day unless it is a weekend or a public holiday (from the
``holidays`` package, which knows Tết, Giỗ Tổ Hùng Vương, 30/4, 1/5, 2/9 and the
announced swaps it has been taught), and the admin's overrides win over both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import holidays
import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.audit.services import record
from tracker.calendar.models import CalendarOverride, DayKind, WorkDay
from tracker.errors import ValidationError
from tracker.extensions import db

logger = logging.getLogger(__name__)

# Guards against a typo turning into a loop over centuries.
MAX_WORKING_DAYS = 3650


@lru_cache(maxsize=64)
def _public_calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="vi")


@dataclass(frozen=True)
class WorkingCalendar:
    """Vietnamese public holidays plus admin overrides (day → is it a working day)."""

    overrides: dict[date, bool] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        """Tell whether officials work on this day."""
        if day in self.overrides:
            return self.overrides[day]
        # The package knows weekends, holidays and the working Saturdays it was taught.
        return _public_calendar(day.year).is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        """Return the public holiday's Vietnamese name, if the day is one."""
        return _public_calendar(day.year).get(day)

    def next_working_day(self, day: date) -> date:
        """Return the day itself if it is a working day, else the next working day.

        A deadline that falls on a day off moves to the next working day
        (Bộ luật Dân sự 2015, điều 148).
        """
        for _attempt in range(MAX_WORKING_DAYS):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValidationError(_("Không tìm thấy ngày làm việc nào trong lịch."))

    def add_working_days(self, start: date, count: int) -> date:
        """Return the date ``count`` working days after ``start`` (before it if negative).

        ``start`` itself is not counted: 3 working days from a Friday is Wednesday.
        Zero gives ``start`` moved to the next working day.
        """
        if abs(count) > MAX_WORKING_DAYS:
            raise ValidationError(
                _("Số ngày làm việc phải trong khoảng ±%(n)s.", n=MAX_WORKING_DAYS),
                fields={"due_in_working_days": _("quá lớn")},
            )
        if count == 0:
            return self.next_working_day(start)
        step = timedelta(days=1 if count > 0 else -1)
        remaining = abs(count)
        day = start
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days after ``start`` up to and including ``end``.

        Negative when ``end`` is before ``start``; so a task due on ``start`` and
        looked at on ``end`` is that many working days late.
        """
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for day in _days(start + timedelta(days=1), end) if self.is_working_day(day))


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def load_calendar() -> WorkingCalendar:
    """Return the working calendar with the admin's overrides read from the database."""
    rows = db.session.execute(sa.select(CalendarOverride.day, CalendarOverride.kind)).all()
    return WorkingCalendar({day: kind == DayKind.WORKING_DAY for day, kind in rows})


def set_override(
    day: date, kind: DayKind, note: str, *, actor: Any | None, now: datetime
) -> CalendarOverride:
    """Declare a day off or a working day, replacing any earlier override for that day."""
    override = db.session.execute(
        sa.select(CalendarOverride).where(CalendarOverride.day == day)
    ).scalar_one_or_none()
    before = None
    if override is None:
        override = CalendarOverride(day=day, created_at=now)
        db.session.add(override)
    else:
        before = {"day": day, "kind": override.kind, "note": override.note}
    override.kind = DayKind(kind)
    override.note = note.strip()[:255]
    db.session.flush()
    refresh_work_days(now.date())
    record(
        "calendar.override_set",
        override,
        actor=actor,
        now=now,
        before=before,
        after={"day": day, "kind": override.kind, "note": override.note},
    )
    return override


def remove_override(day: date, *, actor: Any | None, now: datetime) -> None:
    """Remove the admin's override of a day, so the public calendar decides it again."""
    override = db.session.execute(
        sa.select(CalendarOverride).where(CalendarOverride.day == day)
    ).scalar_one_or_none()
    if override is None:
        raise ValidationError(
            _("Không có điều chỉnh nào cho ngày %(day)s.", day=f"{day:%d/%m/%Y}"),
            fields={"day": _("không có")},
        )
    before = {"day": day, "kind": override.kind, "note": override.note}
    db.session.delete(override)
    db.session.flush()
    refresh_work_days(now.date())
    record("calendar.override_removed", override, actor=actor, now=now, before=before)
    logger.info("Calendar override of %s removed by %s", day, getattr(actor, "username", None))


def list_overrides() -> list[CalendarOverride]:
    """Return every override, the latest day first."""
    query = sa.select(CalendarOverride).order_by(CalendarOverride.day.desc())
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class PublicDay:
    """A day the public calendar treats specially: a holiday, or a weekend day worked."""

    day: date
    name: str
    working: bool


def public_days(year: int) -> list[PublicDay]:
    """Return the year's public holidays and announced working weekend days, by date."""
    calendar = _public_calendar(year)
    days = [PublicDay(day, name, False) for day, name in calendar.items()]
    # Swapped working Saturdays the package was taught (làm bù); it holds them for all years.
    for day in getattr(calendar, "weekend_workdays", ()):
        if day.year == year:
            days.append(PublicDay(day, "", True))
    return sorted(days, key=lambda item: item.day)


# The span of years kept in the work_days table; deadlines outside it are not expected.
FIRST_YEAR = 2015
YEARS_AHEAD = 6


def supported_dates(today: date) -> tuple[date, date]:
    """Return the first and last day a deadline may fall on: the span the working-day
    table is sure to cover (a year short of its end, as the table is extended yearly)."""
    return date(FIRST_YEAR, 1, 1), date(today.year + YEARS_AHEAD - 1, 12, 31)


def check_date_in_range(value: date | None, name: str, today: date) -> None:
    """Refuse a date outside the years the working-day calendar covers."""
    first, last = supported_dates(today)
    if value is not None and not first <= value <= last:
        raise ValidationError(
            _(
                "Ngày phải trong khoảng %(first)s – %(last)s.",
                first=f"{first:%d/%m/%Y}",
                last=f"{last:%d/%m/%Y}",
            ),
            fields={name: _("ngoài khoảng cho phép")},
        )


def refresh_work_days(today: date) -> None:
    """Rebuild the working-day table from the calendar (after an override changes)."""
    calendar = load_calendar()
    db.session.execute(sa.delete(WorkDay))
    rows, seq = [], 0
    for day in _days(date(FIRST_YEAR, 1, 1), date(today.year + YEARS_AHEAD, 12, 31)):
        working = calendar.is_working_day(day)
        seq += working
        rows.append({"day": day, "is_working": working, "seq": seq})
    db.session.execute(sa.insert(WorkDay), rows)
    db.session.flush()


def ensure_work_days(today: date) -> None:
    """Make sure the working-day table covers the years around ``today``."""
    last = db.session.execute(sa.select(sa.func.max(WorkDay.day))).scalar()
    if last is None or last < date(today.year + 1, 12, 31):
        refresh_work_days(today)


def work_day_seq(day: date) -> int:
    """Return the working-day count of a day (see WorkDay)."""
    return db.session.execute(sa.select(WorkDay.seq).where(WorkDay.day == day)).scalar_one()
