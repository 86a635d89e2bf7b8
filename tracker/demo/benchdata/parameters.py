"""The dataset's size and shape (``Scale``), its fixed parameters, and the reference day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tracker.calendar.services import supported_dates
from tracker.demo.benchdata.workdays import Days
from tracker.errors import ValidationError

PASSWORD = "bench-5ro-2026"  # every account of the dataset shares it: never in production
CHUNK = 5_000  # tasks planned, then written, at a time
ORG_BATCH = 200  # people created per transaction
NOTIFIED_DAYS = 60  # notifications are written for the notices of the last days only
LONG_TASK_DAYS = 90  # longer tasks need milestones (the 5 rõ gate)
DATA_END_HOUR = 7  # the dataset ends at 07:00 local time on the reference day
FIRST_SWEEP, LAST_SWEEP = 7 * 60 + 5, 18 * 60 + 5  # the default SWEEP_HOURS, 7-18, at :05


@dataclass(frozen=True)
class Scale:
    """The size and shape of the dataset."""

    tasks: int
    units: int
    users: int
    years: int
    seed: int
    today: date

    @property
    def first_day(self) -> date:
        """The first day tasks are issued on: ``years`` years before the reference day."""
        return self.today - timedelta(days=365 * self.years)

    def check(self) -> None:
        """Refuse sizes that cannot make a city (Vietnamese messages, the field named)."""
        problems = {}
        if self.tasks < 100:
            problems["tasks"] = "ít nhất 100"
        if self.units < 20:
            problems["units"] = "ít nhất 20"
        if self.users < self.units + 20:
            problems["users"] = "ít nhất số đơn vị + 20 (mỗi đơn vị một thủ trưởng)"
        first, _last = supported_dates(self.today)
        if not 1 <= self.years <= self.today.year - first.year:
            problems["years"] = f"từ 1 đến {self.today.year - first.year}"
        if problems:
            raise ValidationError("Kích thước bộ dữ liệu không hợp lệ.", fields=problems)


def days_for(scale: Scale) -> Days:
    """Return the working-day calendar the plan needs: deadlines reach well past both ends."""
    return Days(scale.first_day - timedelta(days=400), scale.today + timedelta(days=800))


@dataclass(frozen=True)
class ReferenceDay:
    """The reference day and the marks the plan measures against, as working-day counts
    (``*_seq``) and UTC instants."""

    today: date
    first_day: date
    today_seq: int
    last_seq: int  # the last working day before today: the sweep ran on it for the last time
    first_seq: int  # the first working day tasks may be issued on
    data_end: datetime  # nothing in the dataset happens after this instant
    sweeps_end: datetime  # the simulated sweeps ran up to yesterday evening
    notify_since: datetime  # notifications are written for notices from this instant on

    @classmethod
    def of(cls, scale: Scale, days: Days) -> ReferenceDay:
        """Return the marks of the scale's reference day."""
        today = scale.today
        today_seq = days.seq_of(today)
        return cls(
            today=today,
            first_day=scale.first_day,
            today_seq=today_seq,
            last_seq=today_seq - 1 if days.day_of(today_seq) == today else today_seq,
            first_seq=days.seq_of(days.next_working(scale.first_day)),
            data_end=days.at(today, DATA_END_HOUR * 60),
            # Today's sweeps are the benchmark's own.
            sweeps_end=days.at(today - timedelta(days=1), LAST_SWEEP + 1),
            notify_since=days.at(today - timedelta(days=NOTIFIED_DAYS), 0),
        )
