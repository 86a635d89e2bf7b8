"""The application's notion of time: UTC instants, local (Hà Nội) dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def utcnow() -> datetime:
    """Return the current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """Return the configured local time zone (Asia/Ho_Chi_Minh by default)."""
    name = DEFAULT_TIMEZONE
    if has_app_context():
        name = current_app.config.get("TRACKER_TIMEZONE", DEFAULT_TIMEZONE)
    return ZoneInfo(name)


def local_date(moment: datetime) -> date:
    """Return the calendar date of an instant as seen in the local time zone."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware instant")
    return moment.astimezone(local_zone()).date()


def local_midnight(day: date) -> datetime:
    """Return the instant at which a local calendar day starts, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=local_zone()).astimezone(UTC)
