"""Working-day arithmetic in plain Python lists, and office hours."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from tracker.calendar.services import load_calendar
from tracker.clock import local_midnight, local_zone


class Days:
    """Working-day arithmetic over a fixed span, in plain lists: the bulk load's twin of the
    ``work_days`` table (``seq`` counts working days up to and including a day)."""

    def __init__(self, first: date, last: date) -> None:
        calendar = load_calendar()
        self.first = first
        self.seq: list[int] = []
        self.working: list[date] = []
        count = 0
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                count += 1
                self.working.append(day)
            self.seq.append(count)
            day += timedelta(days=1)
        self._midnights: dict[date, datetime] = {}
        self.zone = local_zone()

    def seq_of(self, day: date) -> int:
        """Return the count of working days up to and including ``day``."""
        return self.seq[(day - self.first).days]

    def day_of(self, seq: int) -> date:
        """Return the working day with this count."""
        return self.working[seq - 1]

    def next_working(self, day: date) -> date:
        """Return ``day`` if it is a working day, else the working day after it."""
        seq = self.seq_of(day)
        return day if self.day_of(seq) == day else self.day_of(seq + 1)

    def add(self, day: date, count: int) -> date:
        """Return ``count`` working days after ``day`` (before it if negative)."""
        if count == 0:
            return self.next_working(day)
        seq = self.seq_of(day)
        if count < 0 and self.day_of(seq) != day:
            seq += 1  # a day off counts like the working day after it, going back
        return self.day_of(seq + count)

    def local_day(self, moment: datetime) -> date:
        """Return the local calendar day of a UTC instant (the zone is read once: the load
        asks half a million times)."""
        return moment.astimezone(self.zone).date()

    def at(self, day: date, minutes: int) -> datetime:
        """Return the UTC instant ``minutes`` after local midnight of ``day``."""
        midnight = self._midnights.get(day)
        if midnight is None:
            midnight = self._midnights[day] = local_midnight(day)
        return midnight + timedelta(minutes=minutes)


def office_minutes(rng: random.Random) -> int:
    """A time during office hours, 08:00–17:00, in minutes after midnight."""
    return rng.randint(8 * 60, 17 * 60)
