"""The demo's world, set up before any task's story is told: its sense of time and its dice,
the organisation (units, people, fields, the office's process templates), who plays which part
in a unit's tasks, the directive documents, and the picker that decides what each task is.

Dates are counted in working days from the local date of ``now``, and every random choice
comes from one seeded generator (``World.rng``): a given day always yields the same demo.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tracker.calendar.services import load_calendar
from tracker.clock import local_date, local_midnight
from tracker.demo.catalogue import (
    DEMO_PASSWORD,
    DOCUMENTS,
    FIELDS,
    ORG_SETUP_DAYS_AGO,
    PEOPLE,
    PROCESS_TEMPLATES,
    REPORT_LAG_DAYS,
    SEED,
    TEMPLATES,
    UNITS,
    Document,
    Template,
)
from tracker.org.models import Field, Role, Unit, User
from tracker.org.services import (
    create_field,
    create_unit,
    create_user,
    hash_password,
    set_unit_head,
)
from tracker.tasks.documents.services import register_document
from tracker.tasks.models import SourceDocument
from tracker.tasks.process_templates.services import StepInput, save_template

# ---------------------------------------------------------------- time


class World:
    """The demo's sense of time: today, working days counted from it, and the dice."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.today = local_date(now)
        self.calendar = load_calendar()
        self.rng = random.Random(SEED)
        self.setup_at = at_local(self.today - timedelta(days=ORG_SETUP_DAYS_AGO), 8 * 60)
        self.documents: dict[str, SourceDocument] = {}
        self.document_dates = {doc.key: self.document_date(doc) for doc in DOCUMENTS}
        self.first_issue: date | None = None  # the day the first task goes out
        self._days: dict[int, date] = {}

    def day(self, offset: int) -> date:
        """Return the working day ``offset`` working days from today (0: today or the next)."""
        if offset not in self._days:
            self._days[offset] = self.calendar.add_working_days(self.today, offset)
        return self._days[offset]

    def document_date(self, doc: Document) -> date:
        """Return the date a document was issued: its real one, or a working day long ago."""
        if doc.issued_on is not None:
            return doc.issued_on
        return self.calendar.next_working_day(self.today - timedelta(days=doc.days_ago))


def at_local(day: date, minutes: int) -> datetime:
    """Return the instant ``minutes`` after local midnight of ``day``."""
    return local_midnight(day) + timedelta(minutes=minutes)


# ---------------------------------------------------------------- organisation


def create_units(now: datetime) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, name, kind, parent in UNITS:
        units[code] = create_unit(
            code=code,
            name=name,
            kind=kind,
            parent=units[parent] if parent else None,
            actor=None,
            now=now,
        )
    return units


def create_people(units: dict[str, Unit], now: datetime) -> dict[str, User]:
    password_hash = hash_password(DEMO_PASSWORD)  # once: scrypt is slow on purpose
    people: dict[str, User] = {}
    for person in PEOPLE:
        unit = units[person.unit]
        user = create_user(
            username=person.username,
            full_name=person.full_name,
            unit=unit,
            roles=list(person.roles),
            position=person.position,
            # A reserved top-level domain: the demo can never mail a real person.
            email=f"{person.username}@hanoi-demo.example",
            password_hash=password_hash,
            actor=None,
            now=now,
        )
        if unit.head_id is None:
            set_unit_head(unit, user, actor=None, now=now)
        people[person.username] = user
    return people


def create_fields(people: dict[str, User], now: datetime) -> dict[str, Field]:
    return {
        code: create_field(code=code, name=name, leader=people[leader], actor=None, now=now)
        for code, name, leader in FIELDS
    }


def create_process_templates(clerk: User, now: datetime) -> None:
    for name, description, steps in PROCESS_TEMPLATES:
        save_template(
            None,
            name=name,
            description=description,
            steps=[StepInput(*step) for step in steps],
            actor=clerk,
            now=now,
        )


class Cast:
    """Who plays which part in a unit's tasks."""

    def __init__(self, units: dict[str, Unit], people: dict[str, User], rng: random.Random) -> None:
        self.units = units
        self.rng = rng
        self.assigners = [u for u in people.values() if u.has_role(Role.ASSIGNER)]
        self.members: dict[str, list[User]] = {}
        for person in PEOPLE:
            self.members.setdefault(person.unit, []).append(people[person.username])

    def head(self, code: str) -> User:
        head = self.members[code][0]  # PEOPLE lists each unit's head first
        if not head.has_role(Role.UNIT_HEAD):
            raise LookupError(f"demo unit {code} has no head to accept its tasks")
        return head

    def accountable(self, code: str) -> User:
        return self.rng.choice([u for u in self.members[code] if u.has_role(Role.UNIT_HEAD)])

    def assignee(self, code: str) -> User | None:
        staff = [u for u in self.members[code] if u.has_role(Role.STAFF)]
        # Some tasks stay with the accountable person, as small units do.
        return self.rng.choice(staff) if staff and self.rng.random() < 0.8 else None


# ---------------------------------------------------------------- documents

Step = tuple[datetime, Callable[[datetime], None]]


def document_steps(world: World, clerk: User) -> list[Step]:
    steps: list[Step] = []
    for index, doc in enumerate(DOCUMENTS):
        issued_on = world.document_dates[doc.key]
        # Older documents were entered when the tracker started; recent ones on their day.
        moment = max(at_local(issued_on, 9 * 60), world.setup_at + timedelta(hours=1))
        steps.append((moment + timedelta(minutes=index), _register(world, doc, clerk)))
    return steps


def _register(world: World, doc: Document, clerk: User) -> Callable[[datetime], None]:
    def run(moment: datetime) -> None:
        issued_on = world.document_dates[doc.key]
        # A plan issued in late December is next year's plan.
        year = (issued_on + timedelta(days=30)).year
        world.documents[doc.key] = register_document(
            number=doc.number,
            kind=doc.kind,
            issuer=doc.issuer,
            issued_on=issued_on,
            summary=doc.summary.format(year=year),
            actor=clerk,
            now=moment,
        )

    return run


# ---------------------------------------------------------------- choosing what a task is

# A quarter, as the city numbers them in report titles.
_ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Choice:
    template: Template
    lead: Unit
    subject: Unit | None
    words: dict[str, str]

    def fill(self, text: str) -> str:
        return text.format(**self.words)


class Picker:
    """Hand out templates in turn, each with its next lead unit, never repeating a title."""

    def __init__(self, world: World, units: dict[str, Unit]) -> None:
        self.world = world
        self.units = units
        self.titles: set[str] = set()
        order = list(TEMPLATES)
        world.rng.shuffle(order)
        self.queue = deque((template, self._candidates(template)) for template in order)

    def _candidates(self, template: Template) -> deque[tuple[str, str | None]]:
        subjects = template.subjects or (None,)
        pairs = [
            (lead, subject) for lead in template.leads for subject in subjects if subject != lead
        ]
        self.world.rng.shuffle(pairs)
        return deque(pairs)

    def pick(self, start: date, due: date) -> Choice:
        for _ in range(len(self.queue)):
            template, candidates = self.queue[0]
            self.queue.rotate(-1)
            # A task cannot start before the document it comes from.
            if self.world.document_dates[template.document] >= start:
                continue
            for _ in range(len(candidates)):
                lead, subject = candidates[0]
                candidates.rotate(-1)
                choice = self._choice(template, lead, subject, due)
                title = choice.fill(template.title)
                if title not in self.titles:
                    self.titles.add(title)
                    return choice
        raise LookupError("the demo ran out of task templates; add more to TEMPLATES")

    def _choice(self, template: Template, lead: str, subject: str | None, due: date) -> Choice:
        lead_unit = self.units[lead]
        subject_unit = self.units[subject] if subject else None
        school_year = due.year if due.month >= 8 else due.year - 1
        # A report due early in a quarter covers the quarter just ended.
        reported = due - timedelta(days=REPORT_LAG_DAYS)
        words = {
            "unit": lead_unit.name,
            "area": lead_unit.name.removeprefix("UBND "),
            "subject": subject_unit.name if subject_unit else "",
            "period": f"quý {_ROMAN[(reported.month - 1) // 3]}/{reported.year}",
            "year": str(reported.year),
            "school_year": f"{school_year}–{school_year + 1}",
        }
        return Choice(template, lead_unit, subject_unit, words)
