"""The plan: each task's fate as of the reference day, its issue day and its size, decided
for all of them before any is written."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from tracker.demo.benchdata.series import Series
from tracker.demo.benchdata.state import LoadState
from tracker.demo.benchdata.workdays import office_minutes

# How a task ends up, as of the reference day.
DRAFT, ON_TRACK, OVERDUE, WITHDRAWN, ON_TIME, LATE = range(6)
FATES = (DRAFT, ON_TRACK, OVERDUE, WITHDRAWN, ON_TIME, LATE)
# About one task in ten open, one open task in six overdue; done late one in seven.
FATE_WEIGHTS = (0.3, 8.4, 1.7, 3.0, 74.7, 11.9)
KIND_TASK, KIND_GROUP, KIND_SERIES = range(3)
SUBTASK_SHARE = 0.10  # of the parents that can be split, so many are
GROUP_SHARE = 0.015  # of all tasks: issued to every district at once


@dataclass(order=True)
class Seed:
    """What is decided about a task before all of them are sorted by their issue time."""

    issued_at: datetime
    order: int
    kind: int = field(compare=False)
    fate: int = field(compare=False)
    issue_seq: int = field(compare=False)
    due_seq: int = field(compare=False)
    subtasks: int = field(compare=False, default=0)
    lead_id: int = field(compare=False, default=0)
    series: tuple | None = field(compare=False, default=None)  # (Series, occurrence)


def skewed_overdue(rng: random.Random) -> int:
    """Working days an open task is overdue by: mostly a little, sometimes very long."""
    roll = rng.random()
    if roll < 0.6:
        return rng.randint(1, 10)
    if roll < 0.9:
        return rng.randint(11, 40)
    return rng.randint(41, 250)


def duration(rng: random.Random) -> int:
    """Working days a task is given: mostly a few weeks, now and then months."""
    roll = rng.random()
    if roll < 0.7:
        return rng.randint(5, 25)
    if roll < 0.95:
        return rng.randint(26, 60)
    return rng.randint(61, 150)


class SeedPlanner:
    """Plan the seeds: the series' occurrences, the district-wide groups, then single tasks
    (with their sub-tasks) until the scale's count is reached."""

    def __init__(self, state: LoadState) -> None:
        self.state = state
        self.seeds: list[Seed] = []
        self.total = 0  # tasks planned, sub-tasks and group members counted

    def plan(self, series: list[tuple[Series, list]]) -> list[Seed]:
        """Return every seed, sorted by the moment it is issued."""
        self._series_seeds(series)
        self._group_seeds()
        self._task_seeds()
        self.seeds.sort()
        return self.seeds

    def _add(self, issued_at: datetime, kind: int, fate: int, issue: int, due: int, **more):
        # ``order`` breaks ties between seeds issued at the same moment: the planning order.
        self.seeds.append(Seed(issued_at, len(self.seeds) + 1, kind, fate, issue, due, **more))

    def _series_seeds(self, planned: list[tuple[Series, list]]) -> None:
        days = self.state.days
        for series, occurrences in planned:
            for occurrence in occurrences:
                issued = days.at(occurrence.create_on, 6 * 60 + 30)
                issue = days.seq_of(occurrence.create_on)
                due = days.seq_of(occurrence.due_date)
                self._add(issued, KIND_SERIES, -1, issue, due, series=(series, occurrence))
                self.total += 1

    def _group_seeds(self) -> None:
        """Tasks issued to every district at once, in one group."""
        s = self.state
        rng, districts = s.rng, s.org.districts
        groups = max(1, round(s.scale.tasks * GROUP_SHARE / len(districts)))
        for _ in range(groups):
            if self.total + len(districts) > s.scale.tasks:
                break
            fate = rng.choices((ON_TIME, LATE, OVERDUE, ON_TRACK), (75, 13, 6, 6))[0]
            issue, due = self._fate_dates(fate, duration(rng))
            issued = s.days.at(s.days.day_of(issue), office_minutes(rng))
            self._add(issued, KIND_GROUP, fate, issue, due)
            self.total += len(districts)

    def _task_seeds(self) -> None:
        """Single tasks led by a department or a district; some split into sub-tasks."""
        s = self.state
        rng, last_seq = s.rng, s.ref.last_seq
        leads = s.org.departments + s.org.districts
        while self.total < s.scale.tasks:
            fate = rng.choices(FATES, FATE_WEIGHTS)[0]
            lead = rng.choice(leads)
            length = duration(rng)
            subtasks = 0
            splittable = lead.children and fate not in (DRAFT,)
            if splittable and rng.random() < SUBTASK_SHARE:
                room = s.scale.tasks - self.total - 1
                subtasks = min(rng.randint(1, 3), len(lead.children), room)
                length = max(length, 10)
            issue, due = self._fate_dates(fate, length)
            if subtasks and (issue > last_seq - 2 or due - issue < 10):
                subtasks = 0  # no time left to split it
            issued = s.days.at(s.days.day_of(issue), office_minutes(rng))
            self._add(issued, KIND_TASK, fate, issue, due, subtasks=subtasks, lead_id=lead.id)
            self.total += 1 + subtasks

    def _fate_dates(self, fate: int, length: int) -> tuple[int, int]:
        """Return the working days of issue and of the due date that make the fate come true
        by today."""
        s = self.state
        rng, days, ref = s.rng, s.days, s.ref
        if fate == ON_TRACK:
            due = days.seq_of(days.next_working(ref.today)) + rng.randint(0, length)
            return max(ref.first_seq, min(due - length, ref.last_seq)), due
        if fate == OVERDUE:
            due = ref.last_seq - skewed_overdue(rng) + 1
            return max(ref.first_seq, due - length), due
        if fate == DRAFT:
            issue = ref.last_seq - rng.randint(0, 20)
            return issue, issue + length
        span = length + 30  # room to finish, late, and be reviewed before today
        issue = rng.randint(ref.first_seq, ref.last_seq - span)
        return issue, issue + length
