"""``tracker bench-data``: a city-sized dataset for benchmarks, written in bulk.

The organisation (units, people, fields) goes through the services like the demo's. The
tasks and everything recorded about them — five years of a city's work — are planned here
and written in bulk (``bulk.py``), because the services' row-at-a-time care would take hours
for a million tasks. The plan keeps the application's rules, so the pages, the reports and
the sweep read the dataset as if the city had used the tracker all along:

- every issued task is clear on its 5 rõ (document, one lead unit, one accountable person of
  that unit, a start and a due date on working days, steps, outcome), sub-tasks are due no
  later than their parent and led by a unit directly below it, recurring reports have one
  occurrence per period;
- the proportions are a city's: about one task in ten open, one open task in six overdue,
  most of the others done on time, a few withdrawn; extensions, returned results, progress
  reports with their dates;
- the reminders, warnings, urgings and escalation records are exactly those the daily sweep
  would have created up to yesterday under the default rules (a test holds the sweep to it),
  with their notifications (the last 60 days) and audit events;
- the audit trail is one hash chain in time order that ``tracker audit verify`` accepts.

Everything random comes from one generator seeded with ``--seed``: the same seed and the same
reference day give the same rows.
"""

from __future__ import annotations

import bisect
import json
import logging
import random
import time as stopwatch
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app

from tracker.audit.models import AuditChainHead, AuditEvent
from tracker.audit.services import GENESIS_HASH, canonical_json, event_hash
from tracker.calendar.services import load_calendar, supported_dates
from tracker.clock import local_midnight, local_zone
from tracker.demo import vocabulary as words
from tracker.demo.bulk import BulkWriter
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.org.models import EmailMode, Role, Unit, UnitKind, User
from tracker.org.services import (
    create_field,
    create_unit,
    create_user,
    hash_password,
    set_unit_head,
)
from tracker.reminders.messages import ESCALATION_RECIPIENTS
from tracker.reminders.models import EscalationSettings, ReminderRule
from tracker.reminders.sweep import SWEEP_CLOCK, ensure_default_rules
from tracker.tasks import closures
from tracker.tasks.models import Task
from tracker.text import fold

logger = logging.getLogger(__name__)

PASSWORD = "bench-5ro-2026"
CHUNK = 5_000  # tasks planned, then written, at a time
ORG_BATCH = 200  # people created per transaction
NOTIFIED_DAYS = 60  # notifications are written for the notices of the last days only
LONG_TASK_DAYS = 90  # longer tasks need milestones (the 5 rõ gate)
DATA_END_HOUR = 7  # the dataset ends at 07:00 local time on the reference day


@dataclass(frozen=True)
class Scale:
    """The size and shape of the dataset."""

    tasks: int
    units: int
    users: int
    years: int
    seed: int
    today: date

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


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    logins: list[tuple[str, str]] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------- working days in Python


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
        return self.seq[(day - self.first).days]

    def day_of(self, seq: int) -> date:
        """Return the working day with this count."""
        return self.working[seq - 1]

    def next_working(self, day: date) -> date:
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


# ---------------------------------------------------------------- the organisation


@dataclass
class Member:
    id: int
    username: str
    unit_id: int
    email_mode: str


@dataclass
class OrgUnit:
    id: int
    code: str
    name: str
    kind: UnitKind
    parent_id: int | None
    head: Member | None = None
    staff: list[Member] = field(default_factory=list)
    children: list[OrgUnit] = field(default_factory=list)


@dataclass
class Organisation:
    units: dict[int, OrgUnit]
    departments: list[OrgUnit]
    districts: list[OrgUnit]
    assigners: list[Member]
    leaders: list[Member]
    inspectors: list[Member]
    fields: list[tuple[int, int]]  # (field id, its leader's id)
    names: dict[int, str]  # user id → username


def _sizes(scale: Scale) -> tuple[int, int, int, int]:
    departments = min(len(words.DEPARTMENTS), max(3, round(scale.units * 0.06)))
    districts = min(len(words.DISTRICTS), max(2, round(scale.units * 0.045)))
    rest = max(0, scale.units - 2 - departments - districts)
    divisions = min(rest // 4, departments * len(words.DIVISIONS))
    return departments, districts, divisions, rest - divisions


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(words.FAMILY)} {rng.choice(words.MIDDLE)} {rng.choice(words.GIVEN)}"


class OrgBuilder:
    """Create the unit tree, people in every role and the fields through the services."""

    def __init__(self, scale: Scale, rng: random.Random, now: datetime) -> None:
        self.scale, self.rng, self.now = scale, rng, now
        self.password_hash = hash_password(PASSWORD)
        self.units: dict[int, OrgUnit] = {}
        self.names: dict[int, str] = {}
        self.user_count = 0

    def _unit(self, code: str, name: str, kind: UnitKind, parent: OrgUnit | None) -> OrgUnit:
        parent_row = db.session.get(Unit, parent.id) if parent else None
        row = create_unit(
            code=code, name=name, kind=kind, parent=parent_row, actor=None, now=self.now
        )
        unit = OrgUnit(row.id, code, name, kind, parent.id if parent else None)
        self.units[unit.id] = unit
        if parent:
            parent.children.append(unit)
        return unit

    def _user(self, username: str, unit: OrgUnit, roles: list[Role], position: str) -> Member:
        mode = self.rng.choices([EmailMode.IMMEDIATE, EmailMode.DIGEST, EmailMode.NONE], [6, 3, 1])[
            0
        ]
        row = create_user(
            username=username,
            full_name=_person_name(self.rng),
            unit=db.session.get(Unit, unit.id),
            roles=roles,
            position=position,
            email=f"{username}@hanoi.gov.vn",
            password_hash=self.password_hash,
            actor=None,
            now=self.now,
        )
        row.email_mode = mode
        self.user_count += 1
        self.names[row.id] = row.username
        member = Member(row.id, row.username, unit.id, mode.value)
        if self.user_count % ORG_BATCH == 0:
            # A session holding thousands of users flushes ever slower: start afresh.
            db.session.commit()
            db.session.expunge_all()
        return member

    def _head(self, unit: OrgUnit, position: str, extra: tuple[Role, ...] = ()) -> None:
        head = self._user(f"head.{unit.code.lower()}", unit, [Role.UNIT_HEAD, *extra], position)
        set_unit_head(
            db.session.get(Unit, unit.id), db.session.get(User, head.id), actor=None, now=self.now
        )
        unit.head = head

    def build(self) -> Organisation:
        n_dep, n_dis, n_div, n_com = _sizes(self.scale)
        city = self._unit("UBND-HN", "UBND thành phố Hà Nội", UnitKind.CITY, None)
        office = self._unit("VP-UBND", "Văn phòng UBND thành phố", UnitKind.OFFICE, city)
        departments = [
            self._unit(code, name, UnitKind.DEPARTMENT, city)
            for code, name in words.DEPARTMENTS[:n_dep]
        ]
        districts = [
            self._unit(code, name, UnitKind.DISTRICT, city)
            for code, name in words.DISTRICTS[:n_dis]
        ]
        for k in range(n_div):
            parent = departments[k % n_dep]
            label = words.DIVISIONS[k // n_dep % len(words.DIVISIONS)]
            self._unit(
                f"{parent.code}-P{k // n_dep + 1}",
                f"{label} – {parent.name}",
                UnitKind.DIVISION,
                parent,
            )
        for k in range(n_com):
            parent = districts[k % n_dis]
            place = words.COMMUNE_NAMES[k // n_dis % len(words.COMMUNE_NAMES)]
            number = k // (n_dis * len(words.COMMUNE_NAMES))
            kind = "phường" if parent.code.startswith("Q-") else "xã"
            name = f"UBND {kind} {place}" + (f" {number + 1}" if number else "")
            self._unit(f"{parent.code}-X{k // n_dis + 1}", name, UnitKind.COMMUNE, parent)

        interior = departments[0]  # Sở Nội vụ
        admin = self._user("bench.quantri", office, [Role.ADMIN], "Quản trị hệ thống")
        assigners = [
            self._user(f"bench.vanphong{k + 1}", office, [Role.ASSIGNER], "Chuyên viên Văn phòng")
            for k in range(max(2, self.scale.users // 500))
        ]
        leaders = [
            self._user(
                f"bench.lanhdao{k + 1}",
                city,
                [Role.LEADER],
                "Chủ tịch UBND thành phố" if k == 0 else "Phó Chủ tịch UBND thành phố",
            )
            for k in range(8)
        ]
        inspectors = [
            self._user(f"bench.thanhtra{k + 1}", interior, [Role.INSPECTOR], "Thanh tra viên")
            for k in range(max(2, self.scale.users // 1000))
        ]
        office.head = assigners[0]
        for unit in self.units.values():
            if unit.kind in (UnitKind.CITY, UnitKind.OFFICE):
                continue
            position = {
                UnitKind.DEPARTMENT: "Giám đốc",
                UnitKind.DISTRICT: "Chủ tịch UBND",
                UnitKind.COMMUNE: "Chủ tịch UBND",
                UnitKind.DIVISION: "Trưởng phòng",
            }[unit.kind]
            self._head(unit, position)
        self._staff(departments, districts)
        fields = []
        for k, (code, name) in enumerate(words.FIELDS):
            leader = leaders[k % len(leaders)]
            row = create_field(
                code=code,
                name=name,
                leader=db.session.get(User, leader.id),
                actor=None,
                now=self.now,
            )
            fields.append((row.id, leader.id))
        db.session.flush()
        del admin
        return Organisation(
            self.units, departments, districts, assigners, leaders, inspectors, fields, self.names
        )

    def _staff(self, departments: list[OrgUnit], districts: list[OrgUnit]) -> None:
        """Share the remaining people among the units: big units get more."""
        weights = {
            UnitKind.DEPARTMENT: 6,
            UnitKind.DISTRICT: 6,
            UnitKind.DIVISION: 2,
            UnitKind.COMMUNE: 1,
        }
        eligible = [u for u in self.units.values() if u.kind in weights]
        remaining = self.scale.users - self.user_count
        total = sum(weights[u.kind] for u in eligible)
        counts = {u.id: remaining * weights[u.kind] // total for u in eligible}
        leftover = remaining - sum(counts.values())
        for unit in eligible[:leftover]:
            counts[unit.id] += 1
        for unit in eligible:
            for k in range(counts[unit.id]):
                member = self._user(
                    f"cv{k + 1}.{unit.code.lower()}", unit, [Role.STAFF], "Chuyên viên"
                )
                unit.staff.append(member)


# ---------------------------------------------------------------- rows


TASK_COLUMNS = (
    "id", "version", "parent_id", "weight", "group_id", "series_id", "period_start", "title",
    "description", "document_id", "field_id", "lead_unit_id", "accountable_user_id",
    "assignee_user_id", "supervisor_id", "start_date", "due_date", "due_in_working_days",
    "original_due_date", "due_date_since", "expected_outcome", "target", "search_text",
    "priority", "state", "created_by_id", "created_at", "updated_at", "issued_at",
    "issued_by_id", "issued_on", "accepted_at", "progress_percent", "last_progress_at",
    "submitted_on", "result_summary", "completed_on", "completed_at", "withdrawn_at",
    "withdrawn_on", "withdrawal_reason",
)  # fmt: skip

COLUMNS = {
    "source_documents": ("id", "number", "kind", "issuer", "issued_on", "summary", "created_at"),
    "task_groups": ("id", "title", "created_by_id", "created_at"),
    "task_series": (
        "id", "title", "content", "frequency", "every_working_days", "due_rule", "due_day",
        "due_next_month", "create_days_ahead", "starts_on", "ends_on", "paused", "previous_id",
        "created_by_id", "created_at", "last_error",
    ),
    "tasks": TASK_COLUMNS,
    "task_coordinations": ("id", "task_id", "unit_id", "responsibility"),
    "milestones": ("id", "task_id", "title", "due_date", "completed_on"),
    "process_steps": ("id", "task_id", "position", "description"),
    "task_deadlines": (
        "id", "task_id", "due_date", "effective_at", "reason", "extension_request_id",
    ),
    "progress_updates": (
        "id", "task_id", "author_id", "created_at", "percent", "narrative", "difficulties",
        "proposals",
    ),
    "extension_requests": (
        "id", "task_id", "requested_by_id", "requested_at", "current_due_date", "new_due_date",
        "reason", "status", "decided_by_id", "decided_at", "decision_note",
    ),
    "reviews": (
        "id", "task_id", "submitted_by_id", "submitted_at", "result", "reviewer_id",
        "reviewed_at", "accepted", "note",
    ),
    "reminders": (
        "id", "subject", "task_id", "milestone_id", "rule_id", "kind", "deadline", "occurrence",
        "scheduled_on", "created_at", "late", "overdue_days", "sweep_id",
    ),
    "escalations": (
        "id", "task_id", "deadline", "reason", "overdue_days", "notices_before", "opened_at",
        "opened_on", "status", "accountable_user_id", "unit_head_id", "supervisor_id",
        "lead_unit_id", "sweep_id",
    ),
    "escalation_conclusions": (
        "id", "escalation_id", "outcome", "note", "concluded_by_id", "concluded_at",
        "corrects_id",
    ),
    "notifications": (
        "id", "key", "user_id", "channel", "task_id", "subject", "body", "link", "digest",
        "created_at", "status", "attempts", "next_attempt_at", "sent_at", "last_error",
        "read_at",
    ),
    "audit_events": (
        "id", "seq", "occurred_at", "actor_id", "actor_name", "action", "object_type",
        "object_id", "before", "after", "prev_hash", "hash",
    ),
}  # fmt: skip

# Tables written in bulk, parents before children.
BULK_TABLES = tuple(COLUMNS)


class Ids:
    """The next id of each table (the database is empty, so ids start at 1)."""

    def __init__(self, start: dict[str, int]) -> None:
        self._next = dict(start)

    def __call__(self, table: str) -> int:
        value = self._next.get(table, 1)
        self._next[table] = value + 1
        return value


@dataclass(order=True)
class Event:
    """An audit event waiting for its place in the chain."""

    occurred_at: datetime
    order: int
    actor_id: int | None = field(compare=False)
    action: str = field(compare=False)
    object_type: str = field(compare=False)
    object_id: int = field(compare=False)
    before: dict | None = field(compare=False)
    after: dict | None = field(compare=False)


class AuditChain:
    """Chain events in time order across chunks: an event is written only once no later
    chunk can produce an earlier one (every later event is after the next chunk's start)."""

    def __init__(self, writer: BulkWriter, ids: Ids, seq: int, last_hash: str, names: dict):
        self.writer, self.ids, self.seq, self.last_hash = writer, ids, seq, last_hash
        self.names = names
        self.waiting: list[Event] = []
        self._order = 0

    def add(self, occurred_at, actor_id, action, object_type, object_id, before=None, after=None):
        self._order += 1
        self.waiting.append(
            Event(occurred_at, self._order, actor_id, action, object_type, object_id, before, after)
        )

    def flush(self, before: datetime | None) -> None:
        """Write every waiting event earlier than ``before`` (all of them when None)."""
        self.waiting.sort()
        cut = len(self.waiting)
        if before is not None:
            cut = bisect.bisect_left([e.occurred_at for e in self.waiting], before)
        ready, self.waiting = self.waiting[:cut], self.waiting[cut:]
        self.writer.write("audit_events", COLUMNS["audit_events"], self._rows(ready))

    def _rows(self, events: list[Event]) -> Iterator[tuple]:
        for event in events:
            self.seq += 1
            fields = {
                "seq": self.seq,
                "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
                "actor_id": event.actor_id,
                "actor_name": self.names.get(event.actor_id, "system"),
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "before": None if event.before is None else canonical_json(event.before),
                "after": None if event.after is None else canonical_json(event.after),
                "prev_hash": self.last_hash,
            }
            self.last_hash = event_hash(fields)
            yield (
                self.ids("audit_events"),
                self.seq,
                self.writer.timestamp(event.occurred_at),
                event.actor_id,
                fields["actor_name"],
                event.action,
                event.object_type,
                event.object_id,
                fields["before"],
                fields["after"],
                fields["prev_hash"],
                self.last_hash,
            )


# ---------------------------------------------------------------- the plan of each task

# How a task ends up, as of the reference day.
DRAFT, ON_TRACK, OVERDUE, WITHDRAWN, ON_TIME, LATE = range(6)
FATES = (DRAFT, ON_TRACK, OVERDUE, WITHDRAWN, ON_TIME, LATE)
# About one task in ten open, one open task in six overdue; done late one in seven.
FATE_WEIGHTS = (0.3, 8.4, 1.7, 3.0, 74.7, 11.9)
# What an open task is waiting for.
OPEN_STATES = (("issued", 12), ("accepted", 13), ("in_progress", 63), ("submitted", 12))
KIND_TASK, KIND_GROUP, KIND_SERIES = range(3)
SUBTASK_SHARE = 0.10  # of the parents that can be split, so many are
GROUP_SHARE = 0.015  # of all tasks: issued to every district at once
EXTENSION_SHARE = 0.08


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
    series: tuple | None = field(compare=False, default=None)  # (series row, occurrence)


@dataclass
class Life:
    """One task's life up to the reference day: the facts every row and event comes from."""

    id: int
    lead: OrgUnit
    issue_seq: int
    due_seq: int  # the due date in force now
    fate: int
    state: str = "draft"
    parent: Life | None = None
    group_id: int | None = None
    series_id: int | None = None
    period_start: date | None = None
    start_date: date | None = None
    title: str = ""
    description: str = ""
    document_id: int | None = None
    field_id: int | None = None
    supervisor_id: int | None = None
    accountable: Member | None = None
    assignee: Member | None = None
    assigner_id: int = 0
    created_at: datetime | None = None
    issued_at: datetime | None = None
    accepted_at: datetime | None = None
    submissions: list[datetime] = field(default_factory=list)  # the last one stands
    returned_at: list[datetime] = field(default_factory=list)
    completed_at: datetime | None = None
    withdrawn_at: datetime | None = None
    progress: list[tuple[datetime, int]] = field(default_factory=list)
    # Every due date and when it took effect: (effective at, due seq, extension request id).
    deadlines: list[tuple[datetime, int, int | None]] = field(default_factory=list)
    milestones: list[list] = field(default_factory=list)  # [id, title, due seq, completed on]
    children: list[Life] = field(default_factory=list)
    # (request id, asked at, decided at or None, status, due asked about, due asked for)
    extension: tuple | None = None
    warnings: list[tuple[datetime, int]] = field(default_factory=list)  # warnings and urgings

    @property
    def running_until(self) -> datetime | None:
        """When the clock stopped (a result reported, or withdrawn); None if it still runs."""
        if self.withdrawn_at is not None:
            return self.withdrawn_at
        return self.submissions[-1] if self.submissions else None


def _skewed_overdue(rng: random.Random) -> int:
    """Working days an open task is overdue by: mostly a little, sometimes very long."""
    roll = rng.random()
    if roll < 0.6:
        return rng.randint(1, 10)
    if roll < 0.9:
        return rng.randint(11, 40)
    return rng.randint(41, 250)


def _duration(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.7:
        return rng.randint(5, 25)
    if roll < 0.95:
        return rng.randint(26, 60)
    return rng.randint(61, 150)


class Generator:
    """Plan every task, then write them chunk by chunk in the order they were issued."""

    def __init__(self, scale, org, rules, escalate_after, modes, writer, chain_head, first_event):
        self.scale, self.org, self.writer = scale, org, writer
        self.rng = random.Random(scale.seed)
        self.today = scale.today
        self.first_day = self.today - timedelta(days=365 * scale.years)
        self.days = Days(self.first_day - timedelta(days=400), self.today + timedelta(days=800))
        d = self.days
        self.today_seq = d.seq_of(self.today)
        # The last working day before today: the sweep ran on it for the last time.
        self.last_seq = (
            self.today_seq - 1 if d.day_of(self.today_seq) == self.today else self.today_seq
        )
        self.first_seq = d.seq_of(d.next_working(self.first_day))
        self.data_end = d.at(self.today, DATA_END_HOUR * 60)
        self.rules = rules
        self.escalate_after = escalate_after
        # The simulated sweeps ran hourly up to yesterday evening; today's are the benchmark's.
        self.sweeps_end = self.days.at(self.today - timedelta(days=1), LAST_SWEEP + 1)
        self.notify_since = self.days.at(self.today - timedelta(days=NOTIFIED_DAYS), 0)
        self.modes = modes
        self.ids = Ids({"audit_events": first_event})
        seq, last_hash = chain_head
        self.chain = AuditChain(writer, self.ids, seq, last_hash, org.names)
        self.rows: dict[str, list[tuple]] = {name: [] for name in COLUMNS}
        self.documents: list[tuple[date, int]] = []
        self.lives_written = 0
        self.categories: dict[str, int] = {}
        self.inspector_ids = [m.id for m in org.inspectors]
        self.parents = [u for u in org.units.values() if u.children and u.head]

    # ------------------------------------------------------------ planning

    def _fate_dates(self, fate: int, duration: int) -> tuple[int, int]:
        """Return the working days of issue and of the due date that make the fate come true
        by today."""
        rng = self.rng
        if fate == ON_TRACK:
            due = self.days.seq_of(self.days.next_working(self.today)) + rng.randint(0, duration)
            return max(self.first_seq, min(due - duration, self.last_seq)), due
        if fate == OVERDUE:
            due = self.last_seq - _skewed_overdue(rng) + 1
            return max(self.first_seq, due - duration), due
        if fate == DRAFT:
            issue = self.last_seq - rng.randint(0, 20)
            return issue, issue + duration
        span = duration + 30  # room to finish, late, and be reviewed before today
        issue = rng.randint(self.first_seq, self.last_seq - span)
        return issue, issue + duration

    def plan(self) -> list[Seed]:
        """Decide the fate, issue day and size of every task (sub-tasks ride with parents)."""
        rng, seeds, total, order = self.rng, [], 0, 0
        self._plan_documents()
        for series_row, occurrences in self._plan_series():
            for occurrence in occurrences:
                order += 1
                issued = self.days.at(occurrence.create_on, 6 * 60 + 30)
                issue = self.days.seq_of(occurrence.create_on)
                due = self.days.seq_of(occurrence.due_date)
                seeds.append(
                    Seed(
                        issued, order, KIND_SERIES, -1, issue, due, series=(series_row, occurrence)
                    )
                )
                total += 1
        districts = self.org.districts
        groups = max(1, round(self.scale.tasks * GROUP_SHARE / len(districts)))
        for _ in range(groups):
            if total + len(districts) > self.scale.tasks:
                break
            order += 1
            fate = rng.choices((ON_TIME, LATE, OVERDUE, ON_TRACK), (75, 13, 6, 6))[0]
            issue, due = self._fate_dates(fate, _duration(rng))
            issued = self.days.at(self.days.day_of(issue), office_minutes(rng))
            seeds.append(Seed(issued, order, KIND_GROUP, fate, issue, due))
            total += len(districts)
        leads = self.org.departments + districts
        while total < self.scale.tasks:
            order += 1
            fate = rng.choices(FATES, FATE_WEIGHTS)[0]
            lead = rng.choice(leads)
            duration = _duration(rng)
            subtasks = 0
            splittable = lead.children and fate not in (DRAFT,)
            if splittable and rng.random() < SUBTASK_SHARE:
                subtasks = min(rng.randint(1, 3), len(lead.children), self.scale.tasks - total - 1)
                duration = max(duration, 10)
            issue, due = self._fate_dates(fate, duration)
            if subtasks and (issue > self.last_seq - 2 or due - issue < 10):
                subtasks = 0
            issued = self.days.at(self.days.day_of(issue), office_minutes(rng))
            seeds.append(Seed(issued, order, KIND_TASK, fate, issue, due, subtasks, lead.id))
            total += 1 + subtasks
        seeds.sort()
        return seeds

    def _plan_series(self) -> list[tuple[tuple, list]]:
        """Recurring reports: monthly from departments, quarterly from districts."""
        from types import SimpleNamespace

        from tracker.tasks.series import occurrences

        rng, calendar = self.rng, load_calendar()
        count = max(2, self.scale.tasks // 25_000)
        starts_on = self.first_day
        planned = []
        for k in range(count):
            monthly = k % 2 == 0
            pool = self.org.departments if monthly else self.org.districts
            lead = pool[k // 2 % len(pool)]
            field_id, leader_id = self.org.fields[k % len(self.org.fields)]
            title = (
                f"Báo cáo tháng về công tác cải cách hành chính – {lead.name}"
                if monthly
                else f"Báo cáo quý về kết quả thực hiện nhiệm vụ được giao – {lead.name}"
            )
            rule = SimpleNamespace(
                frequency="monthly" if monthly else "quarterly",
                due_rule="calendar_day" if monthly else "working_day",
                due_day=20 if monthly else 5,
                due_next_month=not monthly,
                every_working_days=None,
                create_days_ahead=7,
                starts_on=starts_on,
                ends_on=None,
            )
            series_id = self.ids("task_series")
            creator = self.org.assigners[0]
            content = {
                "title": title,
                "description": f"{lead.name} báo cáo định kỳ gửi UBND thành phố.",
                "document_id": self._document_for(starts_on),
                "field_id": field_id,
                "lead_unit_id": lead.id,
                "accountable_user_id": lead.head.id,
                "assignee_user_id": None,
                "supervisor_id": leader_id,
                "expected_outcome": "Báo cáo định kỳ đúng mẫu",
                "target": "Gửi đúng hạn, số liệu đầy đủ",
                "priority": "normal",
                "process_steps": list(words.STEPS[:3]),
                "coordinating": [],
            }
            created = self.days.at(starts_on - timedelta(days=45), 9 * 60)
            row = (
                series_id, title, json.dumps(content, ensure_ascii=False, sort_keys=True),
                rule.frequency, None, rule.due_rule, rule.due_day, rule.due_next_month,
                rule.create_days_ahead, starts_on, None, False, None, creator.id, created, None,
            )  # fmt: skip
            self.chain.add(
                created, creator.id, "task_series.created", "TaskSeries", series_id,
                after={"title": title, "frequency": rule.frequency, "starts_on": starts_on},
            )  # fmt: skip
            found = list(occurrences(rule, calendar, self.today))
            planned.append(((row, lead, content, rng.random()), found))
        return planned

    # ------------------------------------------------------------ writing

    def run(self, seeds: list[Seed]) -> None:
        """Write the documents and series, then every task in the order of issue."""
        self._write_series({s.series[0][0][0]: s.series[0] for s in seeds if s.series})
        for start in range(0, len(seeds), CHUNK):
            chunk = seeds[start : start + CHUNK]
            for seed in chunk:
                self._seed(seed)
            self._flush_rows()
            following = seeds[start + CHUNK].issued_at if start + CHUNK < len(seeds) else None
            self.chain.flush(following)
            logger.info("bench-data: %s of %s tasks written", self.lives_written, self.scale.tasks)
        self._write_job_runs()
        self._flush_rows()
        self.chain.flush(None)

    def _flush_rows(self) -> None:
        for table, rows in self.rows.items():
            if rows and table != "audit_events":
                self.writer.write(table, COLUMNS[table], rows)
                self.rows[table] = []

    def _plan_documents(self) -> None:
        rng, d = self.rng, self.days
        count = max(20, self.scale.tasks // 25)
        span = (self.today - self.first_day).days + 60
        dates = sorted(
            self.first_day - timedelta(days=60) + timedelta(days=rng.randrange(span))
            for _ in range(count)
        )
        numbers: dict[str, int] = {}
        for issued_on in dates:
            kind, suffix = rng.choice(words.DOCUMENT_KINDS)
            key = suffix  # numbered on from year to year: (number, issuer) is unique
            numbers[key] = numbers.get(key, 0) + 1
            document_id = self.ids("source_documents")
            number = f"{numbers[key]}/{suffix}"
            topic = rng.choice(words.OBJECTS)
            created = d.at(issued_on, 10 * 60)
            author = rng.choice(self.org.assigners)
            self.rows["source_documents"].append(
                (document_id, number, kind, ISSUER, self.writer.day(issued_on),
                 f"{kind} về {topic} năm {issued_on.year}", self.writer.timestamp(created))
            )  # fmt: skip
            self.chain.add(
                created, author.id, "document.registered", "SourceDocument", document_id,
                after={"number": number, "kind": kind, "issuer": ISSUER, "issued_on": issued_on},
            )  # fmt: skip
            self.documents.append((issued_on, document_id))
        self._document_days = [day for day, _id in self.documents]

    def _write_series(self, planned: dict) -> None:
        w = self.writer
        for row, _lead, _content, _roll in planned.values():
            converted = list(row)
            converted[9] = w.day(row[9])
            converted[14] = w.timestamp(row[14])
            self.rows["task_series"].append(tuple(converted))

    def _write_job_runs(self) -> None:
        last_sweep = self.days.at(self.today - timedelta(days=1), 18 * 60 + 5)
        self.writer.write(
            "job_runs",
            ("name", "locked_until", "owner", "last_started_at", "last_finished_at", "last_result"),
            [(SWEEP_CLOCK, None, None, None, self.writer.timestamp(last_sweep), None)],
        )

    # ------------------------------------------------------------ one seed

    def _seed(self, seed: Seed) -> None:
        if seed.kind == KIND_SERIES:
            self._occurrence(seed)
        elif seed.kind == KIND_GROUP:
            self._group(seed)
        else:
            lead = self.org.units[seed.lead_id]
            life = self._new_life(lead, seed, seed.fate)
            self._live(life, wants_children=seed.subtasks > 0)
            self._write(life)
            if seed.subtasks:
                for child in self._children(life, seed.subtasks):
                    self._write(child)

    def _document_for(self, day: date) -> int:
        """A directive document issued in the months before the day."""
        hi = bisect.bisect_right(self._document_days, day)
        lo = bisect.bisect_left(self._document_days, day - timedelta(days=120))
        if hi == 0:
            return self.documents[0][1]
        return self.documents[self.rng.randrange(min(lo, hi - 1), hi)][1]

    def _new_life(self, lead: OrgUnit, seed: Seed, fate: int) -> Life:
        rng = self.rng
        life = Life(self.ids("tasks"), lead, seed.issue_seq, seed.due_seq, fate)
        life.issued_at = seed.issued_at
        issue_day = self.days.day_of(seed.issue_seq)
        life.start_date = issue_day
        field_id, leader_id = rng.choice(self.org.fields)
        life.field_id, life.supervisor_id = field_id, leader_id
        life.document_id = self._document_for(issue_day)
        topic = rng.choice(words.OBJECTS)
        life.title = f"{rng.choice(words.VERBS)} {topic} năm {issue_day.year}"
        life.description = f"{lead.name} chủ trì {topic}; báo cáo kết quả về UBND thành phố."

        life.assigner_id = rng.choice(self.org.assigners).id
        life.accountable = (
            lead.head if rng.random() < 0.75 or not lead.staff else rng.choice(lead.staff)
        )
        return life

    def _occurrence(self, seed: Seed) -> None:
        (row, lead, content, _roll), occurrence = seed.series
        due_day = occurrence.due_date
        if due_day < self.today:
            fate = ON_TIME if self.rng.random() < 0.85 else LATE
            if due_day >= self.today - timedelta(days=20) and self.rng.random() < 0.3:
                fate = OVERDUE
        else:
            fate = ON_TRACK
        life = Life(self.ids("tasks"), lead, seed.issue_seq, seed.due_seq, fate)
        life.issued_at = seed.issued_at
        life.series_id, life.period_start = row[0], occurrence.period_start
        life.start_date = occurrence.start_date
        life.title, life.description = content["title"], content["description"]
        life.document_id = content["document_id"]
        life.field_id, life.supervisor_id = content["field_id"], content["supervisor_id"]
        life.assigner_id = row[13]
        life.accountable = lead.head
        if fate in (ON_TIME, LATE) and seed.due_seq > self.last_seq - 3:
            fate = life.fate = ON_TRACK if seed.due_seq >= self.today_seq else OVERDUE
        self._live(life, wants_children=False, finish_by=seed.due_seq)
        self._write(life)
        self.chain.add(
            seed.issued_at, None, "task_series.occurrence", "TaskSeries", row[0],
            after={"task_id": life.id, "period_start": occurrence.period_start,
                   "due_date": due_day},
        )  # fmt: skip

    def _group(self, seed: Seed) -> None:
        group_id = self.ids("task_groups")
        lead0 = self.org.districts[0]
        template = self._new_life(lead0, seed, seed.fate)
        self.ids._next["tasks"] -= 1  # the template only lends its content
        creator = template.assigner_id
        self.rows["task_groups"].append(
            (group_id, template.title, creator, self.writer.timestamp(seed.issued_at))
        )
        unit_ids = []
        for district in sorted(self.org.districts, key=lambda u: u.name):
            fate = seed.fate
            if fate in (ON_TIME, LATE):
                fate = ON_TIME if self.rng.random() < 0.85 else LATE
            life = Life(self.ids("tasks"), district, seed.issue_seq, seed.due_seq, fate)
            for name in (
                "issued_at",
                "start_date",
                "field_id",
                "supervisor_id",
                "document_id",
                "title",
                "description",
                "assigner_id",
            ):
                setattr(life, name, getattr(template, name))
            life.group_id = group_id
            life.accountable = district.head
            self._live(life, wants_children=False)
            self._write(life)
            unit_ids.append(district.id)
        self.chain.add(
            seed.issued_at, creator, "task_group.issued", "TaskGroup", group_id,
            after={"title": template.title, "unit_ids": sorted(unit_ids), "parent_id": None},
        )  # fmt: skip

    # ------------------------------------------------------------ a task's life

    def _time_on(self, seq: int, after: datetime | None = None) -> datetime:
        """A moment in office hours of the working day ``seq``, later than ``after``."""
        day = self.days.day_of(seq)
        moment = self.days.at(day, office_minutes(self.rng))
        if after is not None and moment <= after:
            moment = after + timedelta(minutes=self.rng.randint(5, 90))
        return moment

    def _live(self, life: Life, *, wants_children: bool, finish_by: int | None = None) -> None:
        """Fill in the life's dates so that its fate comes true by the reference day."""
        rng, fate = self.rng, life.fate
        if fate == DRAFT:
            life.state, life.created_at, life.issued_at = "draft", life.issued_at, None
            return
        life.created_at = life.issued_at - timedelta(minutes=rng.randint(5, 240))
        issue, due = life.issue_seq, life.due_seq
        life.deadlines = [(life.issued_at, due, None)]
        if fate in (ON_TRACK, OVERDUE):
            states, weights = zip(*OPEN_STATES, strict=True)
            life.state = rng.choices(states, weights)[0]
            if wants_children and life.state == "issued":
                life.state = "in_progress"
        elif fate == WITHDRAWN:
            life.state = "withdrawn"
        else:
            life.state = "completed"
        accepted = life.state != "issued" and (life.state != "withdrawn" or rng.random() < 0.7)
        if wants_children:
            accepted = True
        if accepted:
            accept_seq = min(issue + rng.choice((0, 0, 1)), self.last_seq)
            life.accepted_at = self._time_on(max(accept_seq, issue), life.issued_at)
            if rng.random() < 0.7 and life.lead.staff:
                life.assignee = rng.choice(life.lead.staff)
        accept_seq = self.days.seq_of(self.days.local_day(life.accepted_at)) if accepted else issue
        floor = issue + 6 if wants_children else accept_seq + 1
        end_seq = self.last_seq
        if life.state == "completed":
            if fate == ON_TIME:
                submit = rng.randint(min(floor, due), due)
            else:
                submit = due + rng.randint(1, 25)
            if finish_by is None:
                submit = min(submit, self.last_seq - 2)
            self._submit(life, submit, accept_seq, review=True)
            end_seq = submit
        elif life.state == "submitted":
            low, high = (
                (floor, min(due, self.last_seq))
                if fate == ON_TRACK
                else (max(floor, due + 1), self.last_seq)
            )
            if low <= high:
                self._submit(life, rng.randint(low, high), accept_seq, review=False)
                end_seq = self.days.seq_of(self.days.local_day(life.submissions[-1]))
            else:
                life.state = "in_progress"
        elif life.state == "withdrawn":
            low = issue + (4 if wants_children else 1)
            withdraw = rng.randint(low, max(low, min(due + 10, self.last_seq)))
            life.withdrawn_at = self._time_on(
                min(withdraw, self.last_seq), life.accepted_at or life.issued_at
            )
            end_seq = self.days.seq_of(self.days.local_day(life.withdrawn_at))
        if accepted and life.state != "accepted":
            self._progress(life, accept_seq, end_seq)
        if life.state == "in_progress" and not life.progress:
            life.state = "accepted"
        self._extension(life)
        self._milestones(life, end_seq)

    def _submit(self, life: Life, submit: int, accept_seq: int, *, review: bool) -> None:
        rng = self.rng
        after = life.accepted_at or life.issued_at
        if review and submit - accept_seq >= 4 and rng.random() < 0.1:
            first = rng.randint(accept_seq + 1, submit - 2)
            life.submissions.append(self._time_on(first, after))
            life.returned_at.append(self._time_on(first + 1, life.submissions[-1]))
            after = life.returned_at[-1]
        life.submissions.append(self._time_on(submit, after))
        if review:
            done = min(submit + rng.randint(0, 2), self.last_seq)
            life.completed_at = self._time_on(max(done, submit), life.submissions[-1])

    def _progress(self, life: Life, accept_seq: int, end_seq: int) -> None:
        rng = self.rng
        reports = rng.randint(1, 4)
        last = (life.submissions[0] if life.submissions else None) or life.withdrawn_at
        span = max(0, end_seq - accept_seq)
        after = life.accepted_at
        finishing = life.state in ("completed", "submitted")
        for k in range(reports):
            seq = accept_seq + span * k // reports
            moment = self._time_on(seq, after)
            if last is not None and moment >= last:
                break
            if finishing:
                percent = 100 * (k + 1) // reports if k + 1 < reports else 100
            else:
                percent = min(95, 10 + 80 * (k + 1) // reports)
            life.progress.append((moment, percent))
            after = moment

    def _extension(self, life: Life) -> None:
        """About one task in twelve asks to move its deadline; most are granted."""
        rng = self.rng
        issue, due = life.issue_seq, life.due_seq
        if due - issue < 13 or rng.random() >= EXTENSION_SHARE or life.series_id:
            return
        stop = life.running_until
        roll = rng.random()
        if roll < 0.75:
            shift = rng.randint(10, min(30, due - issue - 3))
            original, request, decision = due - shift, due - shift - 3, due - shift - 1
        elif roll < 0.9:
            shift = rng.randint(5, 20)
            original, request, decision = due, due - 3, due - 1
        else:
            original, request, decision = due, min(due - 2, self.last_seq), None
        request = max(request, issue + 1)
        if decision is not None and (decision > self.last_seq or decision <= request):
            return
        if decision is None and (
            life.state not in ("accepted", "in_progress", "issued") or request > self.last_seq
        ):
            return
        asked = self._time_on(request, life.accepted_at or life.issued_at)
        decided = self._time_on(decision, asked) if decision is not None else None
        if stop is not None and (decided or asked) >= stop:
            return
        request_id = self.ids("extension_requests")
        status = "pending" if decision is None else ("approved" if roll < 0.75 else "rejected")
        new_due = due if status == "approved" else original + (shift if roll < 0.9 else 15)
        life.extension = (request_id, asked, decided, status, original, new_due)
        if status == "approved":
            life.deadlines = [(life.issued_at, original, None), (decided, due, request_id)]

    def _milestones(self, life: Life, end_seq: int) -> None:
        """A task longer than three months has a roadmap: milestones, reached or not."""
        rng, d = self.rng, self.days
        issue, due = life.issue_seq, life.due_seq
        if (d.day_of(due) - life.start_date).days <= LONG_TASK_DAYS:  # the gate's own rule
            return
        count = rng.choice((2, 3))
        closed = life.state in ("completed", "submitted", "withdrawn")
        for k in range(count):
            at_seq = issue + (due - issue) * (k + 1) // (count + 1)
            completed = None
            if at_seq <= end_seq or closed:
                done_seq = (
                    at_seq - rng.randint(0, 3)
                    if rng.random() < 0.85
                    else at_seq + rng.randint(1, 5)
                )
                done_seq = max(issue + 1, min(done_seq, end_seq))
                if done_seq <= self.last_seq:
                    completed = self._time_on(done_seq, life.accepted_at or life.issued_at)
                    if life.running_until and completed >= life.running_until:
                        completed = life.running_until - timedelta(minutes=5)
            title = f"Hoàn thành giai đoạn {k + 1}"
            life.milestones.append([self.ids("milestones"), title, at_seq, completed])

    def _children(self, parent: Life, count: int) -> list[Life]:
        """Split the parent among units directly below its lead unit, due no later than it."""
        rng, children = self.rng, []
        units = rng.sample(parent.lead.children, min(count, len(parent.lead.children)))
        accept_seq = self.days.seq_of(self.days.local_day(parent.accepted_at))
        original_due = parent.deadlines[0][1]
        for unit in units:
            issue = accept_seq + 1
            due = rng.randint(issue + 3, max(issue + 3, original_due))
            child = Life(self.ids("tasks"), unit, issue, due, ON_TRACK, parent=parent)
            child.issued_at = self._time_on(issue, parent.accepted_at)
            child.start_date = self.days.day_of(issue)
            child.field_id, child.supervisor_id = parent.field_id, parent.supervisor_id
            child.document_id, child.assigner_id = parent.document_id, parent.lead.head.id
            child.title = f"{parent.title} – phần việc của {unit.name}"
            child.description = f"Phần việc giao {unit.name}: {parent.description}"
            child.accountable = unit.head
            end = parent.running_until
            if parent.state in ("completed", "submitted"):
                self._ended_child(child, end - timedelta(minutes=10), "completed")
            elif parent.state == "withdrawn":
                self._ended_child(child, end - timedelta(minutes=5), "withdrawn")
            elif due <= self.last_seq and rng.random() < 0.5:
                self._ended_child(child, self.days.at(self.today, 0), "completed")
            else:
                child.fate = OVERDUE if due <= self.last_seq else ON_TRACK
                self._live(child, wants_children=False)
            parent.children.append(child)
            children.append(child)
        return children

    def _ended_child(self, child: Life, limit: datetime, state: str) -> None:
        """A sub-task that ended before ``limit``: its steps at moments in between."""
        rng, start = self.rng, child.issued_at
        child.created_at = start - timedelta(minutes=rng.randint(5, 60))
        child.deadlines = [(start, child.due_seq, None)]
        span = (limit - start).total_seconds()
        moments = sorted(
            start + timedelta(seconds=rng.uniform(0.02, 0.98) * span) for _ in range(4)
        )
        child.state = state
        child.accepted_at = moments[0]
        if state == "withdrawn":
            child.fate = WITHDRAWN
            child.withdrawn_at = moments[3]
            if rng.random() < 0.5:
                child.progress = [(moments[1], rng.randint(10, 60))]
            self._milestones(child, self.days.seq_of(self.days.local_day(moments[3])))
            return
        child.progress = [(moments[1], 100)]
        child.submissions = [moments[2]]
        child.completed_at = moments[3]
        self._milestones(child, self.days.seq_of(self.days.local_day(moments[2])))
        on_time = self.days.local_day(moments[2]) <= self.days.day_of(child.due_seq)
        child.fate = ON_TIME if on_time else LATE

    # ------------------------------------------------------------ rows and events of a life

    def _write(self, life: Life) -> None:
        """Turn one life into its rows, its audit events and the notices it received."""
        self.lives_written += 1
        content = self._content(life)
        self.chain.add(life.created_at, life.assigner_id, "task.created", "Task", life.id,
                       after=content.snapshot)  # fmt: skip
        if life.parent is not None:
            self.chain.add(
                life.created_at, life.assigner_id, "task.subtask_created", "Task", life.parent.id,
                after={"subtask_id": life.id, "lead_unit_id": life.lead.id,
                       "due_date": content.original_due},
            )  # fmt: skip
        changes = self._changes(life) if life.issued_at else []
        for moment, who, action, before, after in changes:
            self.chain.add(moment, who, action, "Task", life.id, before=before, after=after)
        last_change = max([life.created_at, *(change[0] for change in changes)])
        self._task_row(life, content, version=1 + len(changes), updated_at=last_change)
        if life.issued_at:
            self._notices(life)

    def _content(self, life: Life) -> Content:
        """The task's 5 rõ beyond its dates: steps, coordinating units, milestones, outcome."""
        rng, w, d = self.rng, self.writer, self.days
        issued = life.issued_at is not None
        content = Content(
            outcome=rng.choice(words.OUTCOMES),
            target="Hoàn thành đúng hạn, đạt yêu cầu",
            original_due=d.day_of(life.deadlines[0][1] if issued else life.due_seq),
        )
        if life.fate == DRAFT and rng.random() < 0.3:
            content.original_due = None  # a draft still unclear on its timeline
        steps = list(words.STEPS[: rng.randint(2, 4)]) if issued or rng.random() < 0.5 else []
        for position, text in enumerate(steps, start=1):
            self.rows["process_steps"].append((self.ids("process_steps"), life.id, position, text))
        coordinating = []
        if life.parent is None and rng.random() < 0.3:
            for unit in rng.sample(self.org.departments, 2):
                if unit.id != life.lead.id:
                    coordinating.append([unit.id, "Cung cấp số liệu, phối hợp thực hiện"])
                    self.rows["task_coordinations"].append(
                        (self.ids("task_coordinations"), life.id, *coordinating[-1])
                    )
        for m_id, title, m_seq, completed in life.milestones:
            reached = w.day(d.local_day(completed)) if completed else None
            self.rows["milestones"].append((m_id, life.id, title, w.day(d.day_of(m_seq)), reached))
        content.snapshot = {
            "title": life.title, "description": life.description, "document_id": life.document_id,
            "field_id": life.field_id, "lead_unit_id": life.lead.id,
            "accountable_user_id": life.accountable.id, "assignee_user_id": None,
            "supervisor_id": life.supervisor_id, "start_date": life.start_date,
            "due_date": content.original_due, "due_in_working_days": None,
            "expected_outcome": content.outcome, "target": content.target, "priority": "normal",
            "coordinating": coordinating,
            "milestones": [[m[1], d.day_of(m[2])] for m in life.milestones],
            "process_steps": steps,
        }  # fmt: skip
        if life.parent is not None:
            content.snapshot.update(parent_id=life.parent.id, weight=1)
        return content

    def _changes(self, life: Life) -> list[tuple]:
        """Write the rows of each step of an issued task's lifecycle; return its changes as
        (moment, actor, action, before, after), the way the services record them."""
        w, d = self.writer, self.days
        office, head = life.assigner_id, life.lead.head.id
        author = (life.assignee or life.accountable).id
        original_due = d.day_of(life.deadlines[0][1])
        changes = [
            (life.issued_at, office, "task.issued", {"state": "draft"},
             {"state": "issued", "due_date": original_due}),
        ]  # fmt: skip
        for effective, due_seq, request_id in life.deadlines:
            self.rows["task_deadlines"].append((
                self.ids("task_deadlines"), life.id, w.day(d.day_of(due_seq)),
                w.timestamp(effective), "extension" if request_id else "issued", request_id,
            ))  # fmt: skip
        state = "issued"
        if life.accepted_at:
            assignee = life.assignee.id if life.assignee else None
            changes.append((life.accepted_at, head, "task.accepted", {"state": "issued"},
                            {"state": "accepted", "assignee_user_id": assignee}))  # fmt: skip
            state = "accepted"
        for moment, percent in life.progress:
            update_id = self.ids("progress_updates")
            self.rows["progress_updates"].append((
                update_id, life.id, author, w.timestamp(moment), percent,
                self.rng.choice(words.NARRATIVES), "", "",
            ))  # fmt: skip
            if state == "accepted":
                changes.append((moment, author, "task.started", {"state": "accepted"},
                                {"state": "in_progress"}))  # fmt: skip
                state = "in_progress"
            changes.append((moment, author, "task.progress", None,
                            {"percent": percent, "progress_update_id": update_id,
                             "evidence": []}))  # fmt: skip
        for _id, title, m_seq, completed in life.milestones:
            if completed:
                changes.append((completed, author, "task.milestone_completed", None,
                                {"milestone": title, "due_date": d.day_of(m_seq),
                                 "completed_on": d.local_day(completed)}))  # fmt: skip
        if life.extension:
            changes += self._extension_rows(life)
        changes += self._review_rows(life, author)
        if life.withdrawn_at:
            changes.append((life.withdrawn_at, office, "task.withdrawn", {"state": state},
                            {"state": "withdrawn", "reason": WITHDRAWAL_REASON}))  # fmt: skip
        return changes

    def _extension_rows(self, life: Life) -> list[tuple]:
        w, d = self.writer, self.days
        request_id, asked, decided, status, current, new_due = life.extension
        reason, asker = self.rng.choice(words.REASONS), life.accountable.id
        note = REJECTION_NOTE if status == "rejected" else ""
        self.rows["extension_requests"].append((
            request_id, life.id, asker, w.timestamp(asked), w.day(d.day_of(current)),
            w.day(d.day_of(new_due)), reason, status, life.assigner_id if decided else None,
            w.timestamp(decided), note,
        ))  # fmt: skip
        changes = [
            (asked, asker, "task.extension_requested", None,
             {"extension_request_id": request_id, "current_due_date": d.day_of(current),
              "new_due_date": d.day_of(new_due), "reason": reason}),
        ]  # fmt: skip
        if decided:
            approved = status == "approved"
            changes.append((
                decided, life.assigner_id, "task.extension_decided",
                {"due_date": d.day_of(current)},
                {"extension_request_id": request_id, "approved": approved,
                 "due_date": d.day_of(new_due if approved else current), "note": note},
            ))  # fmt: skip
        return changes

    def _review_rows(self, life: Life, author: int) -> list[tuple]:
        """Each reported result with its review: returned for more work, accepted, or waiting."""
        w, d, office = self.writer, self.days, life.assigner_id
        changes = []
        for k, submitted in enumerate(life.submissions):
            reviewer, reviewed, accepted, note = None, None, None, ""
            if k < len(life.returned_at):
                reviewer, reviewed, accepted, note = office, life.returned_at[k], False, RETURN_NOTE
            elif life.completed_at:
                reviewer, reviewed, accepted = office, life.completed_at, True
            self.rows["reviews"].append((
                self.ids("reviews"), life.id, author, w.timestamp(submitted), RESULT, reviewer,
                w.timestamp(reviewed), accepted, note,
            ))  # fmt: skip
            changes.append((submitted, author, "task.submitted", {"state": "in_progress"},
                            {"state": "submitted", "result": RESULT,
                             "submitted_on": d.local_day(submitted)}))  # fmt: skip
            if accepted is False:
                changes.append((reviewed, office, "task.returned", {"state": "submitted"},
                                {"state": "in_progress", "note": note}))  # fmt: skip
        if life.completed_at:
            changes.append((life.completed_at, office, "task.completed", {"state": "submitted"},
                            {"state": "completed", "note": "",
                             "completed_on": d.local_day(life.submissions[-1])}))  # fmt: skip
        return changes

    def _task_row(self, life: Life, content: Content, *, version: int, updated_at) -> None:
        w, d = self.writer, self.days
        reported = life.state in ("submitted", "completed")
        submitted_on = d.local_day(life.submissions[-1]) if reported else None
        progress = life.progress[-1][1] if life.progress else 0
        issued, withdrawn = life.issued_at, life.withdrawn_at
        due = d.day_of(life.due_seq) if content.original_due else None
        self.rows["tasks"].append((
            life.id, version, life.parent.id if life.parent else None, 1, life.group_id,
            life.series_id, w.day(life.period_start), life.title, life.description,
            life.document_id, life.field_id, life.lead.id, life.accountable.id,
            life.assignee.id if life.assignee else None, life.supervisor_id,
            w.day(life.start_date), w.day(due), None,
            w.day(content.original_due) if issued else None,
            w.timestamp(life.deadlines[-1][0]) if issued else None, content.outcome, content.target,
            _search_text(life.title, life.description), "normal", life.state,
            life.assigner_id, w.timestamp(life.created_at), w.timestamp(updated_at),
            w.timestamp(issued), life.assigner_id if issued else None,
            w.day(d.local_day(issued)) if issued else None, w.timestamp(life.accepted_at),
            100 if life.state == "completed" else progress,
            w.timestamp(life.progress[-1][0]) if life.progress else None, w.day(submitted_on),
            RESULT if reported else "",
            w.day(submitted_on) if life.state == "completed" else None,
            w.timestamp(life.completed_at), w.timestamp(withdrawn),
            w.day(d.local_day(withdrawn)) if withdrawn else None,
            WITHDRAWAL_REASON if withdrawn else "",
        ))  # fmt: skip

    # ------------------------------------------------------------ what the daily sweep sent

    def _first_sweep(self, moment: datetime) -> datetime:
        """The first hourly sweep (at :05, 07:05–18:05 local time) at or after ``moment``."""
        day = self.days.local_day(moment)
        minutes = (moment - self.days.at(day, 0)).total_seconds() / 60
        if minutes <= FIRST_SWEEP:
            return self.days.at(day, FIRST_SWEEP)
        slot = FIRST_SWEEP + 60 * -(-(minutes - FIRST_SWEEP) // 60)
        if slot > LAST_SWEEP:
            return self.days.at(day + timedelta(days=1), FIRST_SWEEP)
        return self.days.at(day, int(slot))

    def _notices(self, life: Life) -> None:
        """Write the notices and records the sweeps up to yesterday made of this life."""
        d = self.days
        issued_seq = d.seq_of(d.local_day(life.issued_at))
        stop = min(life.running_until or self.sweeps_end, self.sweeps_end)
        segments = []
        for k, (start, due_seq, _request) in enumerate(life.deadlines):
            end = life.deadlines[k + 1][0] if k + 1 < len(life.deadlines) else stop
            segments.append((max(start, life.issued_at), min(end, stop), due_seq))
        for rule in self.rules:
            for start, end, due_seq in segments:
                self._rule_notices(life, rule, "t", None, due_seq, start, end, issued_seq)
            if rule.for_milestones:
                for m_id, title, m_seq, completed in life.milestones:
                    end = min(stop, completed) if completed else stop
                    self._rule_notices(
                        life, rule, "m", (m_id, title), m_seq, life.issued_at, end, issued_seq
                    )
        for start, end, due_seq in segments:
            self._escalation(life, start, end, due_seq)

    def _rule_notices(self, life, rule, prefix, milestone, due_seq, start, end, issued_seq) -> None:
        d = self.days
        occurrence = 1
        fire = due_seq + rule.offset_days
        while True:
            fire_day = d.day_of(fire)
            opens = d.at(fire_day, FIRST_SWEEP)
            if opens >= end:
                return
            moment = self._first_sweep(max(opens, start))
            following = (
                d.at(d.day_of(fire + rule.repeat_every), FIRST_SWEEP) if rule.repeat_every else None
            )
            if fire >= issued_seq and moment < end and (following is None or moment < following):
                self._notice(life, rule, prefix, milestone, due_seq, fire_day, occurrence, moment)
            if not rule.repeat_every:
                return
            occurrence += 1
            fire += rule.repeat_every

    def _notice(self, life, rule, prefix, milestone, due_seq, fire_day, occurrence, moment) -> None:
        d, w = self.days, self.writer
        reminder_id = self.ids("reminders")
        subject_id = milestone[0] if milestone else life.id
        deadline = d.day_of(due_seq)
        today_seq = d.seq_of(d.local_day(moment))
        overdue = max(0, today_seq - due_seq)
        kind = rule.kind.value
        self.rows["reminders"].append((
            reminder_id, f"{prefix}{subject_id}", life.id, milestone[0] if milestone else None,
            rule.id, kind, w.day(deadline), occurrence, w.day(fire_day), w.timestamp(moment),
            False, overdue, _sweep_id(moment),
        ))  # fmt: skip
        if prefix == "t" and kind in ("warning", "urging"):
            life.warnings.append((moment, due_seq))
        users = self._recipients(life, rule.recipient_list)
        self.chain.add(
            moment, None, f"task.{kind}", "Task", life.id,
            after={
                "reminder_id": reminder_id, "deadline": deadline,
                "milestone": milestone[1] if milestone else None, "occurrence": occurrence,
                "overdue_days": overdue, "late": False, "recipients": users,
            },
        )  # fmt: skip
        if kind == "warning" and life.parent is not None:
            self.chain.add(
                moment, None, "task.subtask_overdue", "Task", life.parent.id,
                after={
                    "subtask_id": life.id, "title": life.title, "deadline": deadline,
                    "milestone": milestone[1] if milestone else None, "overdue_days": overdue,
                },
            )  # fmt: skip
        if moment >= self.notify_since:
            tag = {"reminder": "Nhắc hạn", "warning": "Cảnh báo quá hạn", "urging": "Đôn đốc"}[kind]
            subject = f"[{tag}] {life.title} — hạn {deadline:%d/%m/%Y}"
            self._notify(f"reminder:{reminder_id}", users, life, subject[:300], moment)

    def _recipients(self, life: Life, roles) -> list[int]:
        by_role = {
            "accountable": [life.accountable.id],
            "assignee": [life.assignee.id if life.assignee else None],
            "unit_head": [life.lead.head.id if life.lead.head else None],
            "assigner": [life.assigner_id],
            "supervisor": [life.supervisor_id],
            "inspectors": self.inspector_ids,
        }
        ids = [uid for role in roles for uid in by_role[role.value] if uid is not None]
        if life.parent is not None:
            ids.append(life.parent.accountable.id)
        return list(dict.fromkeys(ids))

    def _notify(
        self, key: str, users: list[int], life: Life, subject: str, moment: datetime
    ) -> None:
        """The inbox row and, by each person's choice, the email that went out."""
        w, rng = self.writer, self.rng
        link = f"/tasks/{life.id}"
        body = f"{subject}\nĐơn vị chủ trì: {life.lead.name}\nXem và cập nhật: {link}"
        for user_id in users:
            member_mode = self.modes.get(user_id, "immediate")
            read = moment + timedelta(hours=rng.randint(1, 72))
            self.rows["notifications"].append((
                self.ids("notifications"), key, user_id, "inbox", life.id, subject, body, link,
                False, w.timestamp(moment), "sent", 0, None, w.timestamp(moment), None,
                w.timestamp(read) if read < self.data_end and rng.random() < 0.7 else None,
            ))  # fmt: skip
            if member_mode == "none":
                continue
            digest = member_mode == "digest"
            sent = moment + (timedelta(hours=20) if digest else timedelta(minutes=1))
            delivered = sent < self.data_end
            waiting, sent_at = (
                (None, w.timestamp(sent)) if delivered else (w.timestamp(moment), None)
            )
            self.rows["notifications"].append((
                self.ids("notifications"), key, user_id, "email", life.id, subject, body, link,
                digest, w.timestamp(moment), "sent" if delivered else "pending", int(delivered),
                waiting, sent_at, None, None,
            ))  # fmt: skip

    def _escalation(self, life: Life, start: datetime, end: datetime, due_seq: int) -> None:
        """The record for Sở Nội vụ, on the first sweep ten working days past the deadline."""
        d, w, rng = self.days, self.writer, self.rng
        threshold = d.at(d.day_of(due_seq + self.escalate_after), FIRST_SWEEP)
        if threshold >= end:
            return
        moment = self._first_sweep(max(threshold, start))
        if moment >= end:
            return
        progress = [p for p, _percent in life.progress if p < moment]
        since = max(progress) if progress else life.issued_at
        notices = sum(1 for at, seq in life.warnings if seq == due_seq and since < at <= moment)
        escalation_id = self.ids("escalations")
        overdue = d.seq_of(d.local_day(moment)) - due_seq
        concluded = None
        if moment < self.data_end - timedelta(days=20) and rng.random() < 0.7:
            concluded = moment + timedelta(days=rng.randint(5, 20), minutes=rng.randint(60, 480))
        head = life.lead.head.id if life.lead.head else None
        self.rows["escalations"].append((
            escalation_id, life.id, w.day(d.day_of(due_seq)), "overdue_days", overdue, notices,
            w.timestamp(moment), w.day(d.local_day(moment)), "concluded" if concluded else "open",
            life.accountable.id, head, life.supervisor_id, life.lead.id, _sweep_id(moment),
        ))  # fmt: skip
        users = self._recipients(life, ESCALATION_RECIPIENTS)
        self.chain.add(
            moment, None, "task.escalated", "Task", life.id,
            after={
                "escalation_id": escalation_id, "deadline": d.day_of(due_seq),
                "reason": "overdue_days", "overdue_days": overdue, "notices_before": notices,
                "recipients": users,
            },
        )  # fmt: skip
        if moment >= self.notify_since:
            subject = f"[Chuyển Sở Nội vụ xem xét] {life.title}"[:300]
            self._notify(f"escalation:{escalation_id}", users, life, subject, moment)
        if concluded:
            outcome = rng.choices(OUTCOMES, (30, 35, 20, 10, 5))[0]
            inspector = rng.choice(self.org.inspectors).id
            conclusion_id = self.ids("escalation_conclusions")
            note = "Đã xem xét báo cáo giải trình của đơn vị và ý kiến của lãnh đạo phụ trách."
            self.rows["escalation_conclusions"].append(
                (
                    conclusion_id,
                    escalation_id,
                    outcome,
                    note,
                    inspector,
                    w.timestamp(concluded),
                    None,
                )
            )
            self.chain.add(
                concluded, inspector, "task.escalation_concluded", "Task", life.id,
                after={
                    "escalation_id": escalation_id, "conclusion_id": conclusion_id,
                    "outcome": outcome, "note": note, "corrects_id": None,
                },
            )  # fmt: skip


FIRST_SWEEP, LAST_SWEEP = 7 * 60 + 5, 18 * 60 + 5  # the default SWEEP_HOURS, 7-18, at :05
OUTCOMES = ("no_fault", "reminder", "criticism", "discipline", "transfer")


@lru_cache(maxsize=65536)
def _folded(text: str) -> str:
    return fold(text)


def _search_text(title: str, description: str) -> str:
    """The task's search column (what services store), from cached parts: titles repeat."""
    return f"{_folded(title)} {_folded(description)}".strip()


def _sweep_id(moment: datetime) -> str:
    return f"bench-{moment:%Y%m%d%H%M}"


# ---------------------------------------------------------------- the command's work


@dataclass
class Content:
    """What a task's rows and its "task.created" event share."""

    outcome: str
    target: str
    original_due: date | None
    snapshot: dict = field(default_factory=dict)


ISSUER = "UBND thành phố Hà Nội"
RESULT = "Đã hoàn thành, gửi kèm báo cáo kết quả."
RETURN_NOTE = "Đề nghị bổ sung số liệu"
REJECTION_NOTE = "Chưa đủ căn cứ gia hạn"
WITHDRAWAL_REASON = "Nhiệm vụ đã được lồng ghép vào nhiệm vụ khác"


@dataclass(frozen=True)
class RuleView:
    """A reminder rule as plain values, read once before the load."""

    id: int
    kind: object
    offset_days: int
    repeat_every: int | None
    for_milestones: bool
    recipient_list: list


def _refuse_in_production() -> None:
    # Every account of the dataset shares one published password.
    if current_app.config.get("TRACKER_ENV") == "production":
        raise ValidationError(
            "Không nạp bộ dữ liệu đo hiệu năng khi TRACKER_ENV=production: mọi tài khoản"
            " của nó dùng chung một mật khẩu công khai.",
            fields={"TRACKER_ENV": "production"},
        )


def _refuse_unless_empty() -> None:
    if db.session.scalar(sa.select(sa.func.count(Task.id))) or db.session.scalar(
        sa.select(sa.func.count(User.id))
    ):
        raise ValidationError(
            "Cơ sở dữ liệu đã có dữ liệu; bộ dữ liệu đo hiệu năng chỉ nạp vào một cơ sở dữ liệu"
            " trống (tạo mới rồi chạy tracker db upgrade).",
            fields={"database": "không trống"},
        )


def load_scale(scale: Scale, progress: Callable[[str], None] = logger.info) -> LoadReport:
    """Fill an empty database with a city-sized dataset; return what was written."""
    from tracker.calendar.services import ensure_work_days

    scale.check()
    _refuse_in_production()
    _refuse_unless_empty()
    started = stopwatch.perf_counter()
    rng = random.Random(scale.seed)
    org_day = scale.today - timedelta(days=365 * scale.years + 30)
    org_now = local_midnight(org_day) + timedelta(hours=9)
    ensure_default_rules()
    ensure_work_days(scale.today)
    org_log = logging.getLogger("tracker.org.services")
    level, org_log.level = org_log.level, logging.WARNING  # one line per user is noise here
    try:
        org = OrgBuilder(scale, rng, org_now).build()
    finally:
        org_log.setLevel(level)
    db.session.commit()
    progress(
        f"Đã tạo {len(org.units)} đơn vị, {len(org.names)} người dùng"
        f" ({stopwatch.perf_counter() - started:.0f} giây)."
    )
    rules = [
        RuleView(r.id, r.kind, r.offset_days, r.repeat_every, r.for_milestones, r.recipient_list)
        for r in db.session.scalars(
            sa.select(ReminderRule).where(ReminderRule.active).order_by(ReminderRule.id)
        )
    ]
    escalate_after = db.session.get(EscalationSettings, 1).overdue_working_days
    modes = {m.id: m.email_mode for u in org.units.values() for m in [u.head, *u.staff] if m}
    head = db.session.get(AuditChainHead, 1)
    chain_head = (head.seq, head.last_hash) if head else (0, GENESIS_HASH)
    first_event_id = (db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0) + 1
    writer = BulkWriter(db.engine)
    generator = Generator(
        scale, org, rules, escalate_after, modes, writer, chain_head, first_event_id
    )
    seeds = generator.plan()  # reads the calendar: before the load takes the database
    db.session.remove()
    try:
        writer.begin(BULK_TABLES)
        generator.run(seeds)
        progress(
            f"Đã ghi các dòng ({stopwatch.perf_counter() - started:.0f} giây); dựng lại chỉ mục…"
        )
        _update_chain_head(writer, generator.chain)
        writer.finish(BULK_TABLES)
        progress(
            f"Đã dựng chỉ mục ({stopwatch.perf_counter() - started:.0f} giây);"
            " cập nhật thống kê cho bộ lập kế hoạch truy vấn…"
        )
        writer.analyze()
    finally:
        writer.close()
    closed = closures.rebuild()
    db.session.commit()
    progress(f"Đã đếm {closed:,} nhiệm vụ đã kết thúc theo tháng ({_seconds(started)} giây).")
    report = LoadReport(
        counts=dict(writer.rows_written), seconds=stopwatch.perf_counter() - started
    )
    report.logins = _logins(org)
    return report


def _seconds(started: float) -> str:
    return f"{stopwatch.perf_counter() - started:.0f}"


def _update_chain_head(writer: BulkWriter, chain: AuditChain) -> None:
    writer.execute(
        "UPDATE audit_chain_head SET seq = %s, last_hash = %s WHERE id = 1",
        (chain.seq, chain.last_hash),
    )


def _logins(org: Organisation) -> list[tuple[str, str]]:
    department, district = org.departments[1], org.districts[0]
    return [
        (org.assigners[0].username, "Văn phòng UBND thành phố (giao việc)"),
        (org.leaders[0].username, "Chủ tịch UBND thành phố (lãnh đạo)"),
        (org.inspectors[0].username, "Sở Nội vụ (thanh tra)"),
        (department.head.username, f"Thủ trưởng {department.name}"),
        (district.head.username, f"Thủ trưởng {district.name}"),
        ("bench.quantri", "Quản trị hệ thống"),
    ]
