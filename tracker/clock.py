"""The application's notion of time: UTC instants, local (Hà Nội) dates.

Everything in the tracker that needs "now" asks ``utcnow()``. An app may pin its clock to
one instant with the ``TRACKER_NOW`` setting: tests pin it to their ``now`` fixture, so no
test depends on the machine's date, and benchmarks pin it to their dataset's reference day.
A pinned clock stands still, unless ``TRACKER_CLOCK_RUNS`` lets it run on from that instant
(a process whose leases and retries must see time pass). A production site never pins it
(see ``config.pinned_now``).
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
PINNED_SETTING = "TRACKER_NOW"
RUNS_FROM_SETTING = "TRACKER_CLOCK_RUNS_FROM"  # time.monotonic() when a running clock started


def utcnow() -> datetime:
    """Return the current instant, timezone-aware in UTC: the app's pinned instant if it
    has one (plus the time since it started, for a running clock), else the machine's."""
    if has_app_context():
        pinned = current_app.config.get(PINNED_SETTING)
        if pinned is not None:
            started = current_app.config.get(RUNS_FROM_SETTING)
            if started is None:
                return pinned
            return pinned + timedelta(seconds=time.monotonic() - started)
    return datetime.now(UTC)


def today() -> date:
    """Return today's date in the local time zone, by the app's clock."""
    return local_date(utcnow())


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


def parse_instant(text: str, zone: ZoneInfo) -> datetime:
    """Read an ISO 8601 instant; one written without a zone is local time. Raise
    ValueError for anything else."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)
