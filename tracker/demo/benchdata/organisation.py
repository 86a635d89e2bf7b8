"""The organisation: the unit tree, people in every role and the fields, made through the
services (a few thousand rows: their care costs little here)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from tracker.demo import vocabulary as words
from tracker.demo.benchdata.parameters import ORG_BATCH, PASSWORD, Scale
from tracker.extensions import db
from tracker.org.models import EmailMode, Role, Unit, UnitKind, User
from tracker.org.services import (
    create_field,
    create_unit,
    create_user,
    hash_password,
    set_unit_head,
)

# How people choose to get their emails: most at once, some in a daily digest, a few not.
EMAIL_MODES = (EmailMode.IMMEDIATE, EmailMode.DIGEST, EmailMode.NONE)
EMAIL_MODE_WEIGHTS = (6, 3, 1)
HEAD_POSITIONS = {
    UnitKind.DEPARTMENT: "Giám đốc",
    UnitKind.DISTRICT: "Chủ tịch UBND",
    UnitKind.COMMUNE: "Chủ tịch UBND",
    UnitKind.DIVISION: "Trưởng phòng",
}
# How the staff left after the officials and heads is shared: big units get more.
STAFF_WEIGHTS = {
    UnitKind.DEPARTMENT: 6,
    UnitKind.DISTRICT: 6,
    UnitKind.DIVISION: 2,
    UnitKind.COMMUNE: 1,
}


@dataclass
class Member:
    """A person, as the plan needs them."""

    id: int
    username: str
    unit_id: int
    email_mode: str


@dataclass
class OrgUnit:
    """A unit with its head, its staff and the units directly below it."""

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
    """The organisation as plain values: the plan reads it after the session is gone."""

    units: dict[int, OrgUnit]
    departments: list[OrgUnit]
    districts: list[OrgUnit]
    assigners: list[Member]
    leaders: list[Member]
    inspectors: list[Member]
    fields: list[tuple[int, int]]  # (field id, its leader's id)
    names: dict[int, str]  # user id → username


def unit_counts(scale: Scale) -> tuple[int, int, int, int]:
    """Return how many departments, districts, divisions and communes the scale makes."""
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

    def build(self) -> Organisation:
        """Create the whole organisation and return it as plain values."""
        n_dep, n_dis, n_div, n_com = unit_counts(self.scale)
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
        self._divisions(departments, n_div)
        self._communes(districts, n_com)
        interior = departments[0]  # Sở Nội vụ: the inspectors' home
        self._user("bench.quantri", office, [Role.ADMIN], "Quản trị hệ thống")
        assigners = self._officials(
            "bench.vanphong", office, Role.ASSIGNER, max(2, self.scale.users // 500)
        )
        leaders = self._leaders(city)
        inspectors = self._officials(
            "bench.thanhtra", interior, Role.INSPECTOR, max(2, self.scale.users // 1000)
        )
        office.head = assigners[0]
        self._heads()
        self._staff()
        fields = self._fields(leaders)
        db.session.flush()
        return Organisation(
            self.units, departments, districts, assigners, leaders, inspectors, fields, self.names
        )

    # ------------------------------------------------------------ units

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

    def _divisions(self, departments: list[OrgUnit], count: int) -> None:
        """Divisions under the departments, dealt round-robin."""
        n_dep = len(departments)
        for k in range(count):
            parent = departments[k % n_dep]
            label = words.DIVISIONS[k // n_dep % len(words.DIVISIONS)]
            self._unit(
                f"{parent.code}-P{k // n_dep + 1}",
                f"{label} – {parent.name}",
                UnitKind.DIVISION,
                parent,
            )

    def _communes(self, districts: list[OrgUnit], count: int) -> None:
        """Wards (in urban districts) and communes under the districts, dealt round-robin;
        a name used up is numbered on."""
        n_dis = len(districts)
        for k in range(count):
            parent = districts[k % n_dis]
            place = words.COMMUNE_NAMES[k // n_dis % len(words.COMMUNE_NAMES)]
            number = k // (n_dis * len(words.COMMUNE_NAMES))
            kind = "phường" if parent.code.startswith("Q-") else "xã"
            name = f"UBND {kind} {place}" + (f" {number + 1}" if number else "")
            self._unit(f"{parent.code}-X{k // n_dis + 1}", name, UnitKind.COMMUNE, parent)

    # ------------------------------------------------------------ people

    def _user(self, username: str, unit: OrgUnit, roles: list[Role], position: str) -> Member:
        mode = self.rng.choices(EMAIL_MODES, EMAIL_MODE_WEIGHTS)[0]
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

    def _officials(self, prefix: str, unit: OrgUnit, role: Role, count: int) -> list[Member]:
        """The city's assigners (in the office) or inspectors (in Sở Nội vụ)."""
        position = "Chuyên viên Văn phòng" if role == Role.ASSIGNER else "Thanh tra viên"
        return [self._user(f"{prefix}{k + 1}", unit, [role], position) for k in range(count)]

    def _leaders(self, city: OrgUnit) -> list[Member]:
        """The chair and the seven vice-chairs of the city."""
        return [
            self._user(
                f"bench.lanhdao{k + 1}",
                city,
                [Role.LEADER],
                "Chủ tịch UBND thành phố" if k == 0 else "Phó Chủ tịch UBND thành phố",
            )
            for k in range(8)
        ]

    def _heads(self) -> None:
        """A head for every unit below the city (the office's is its first assigner)."""
        for unit in self.units.values():
            if unit.kind in (UnitKind.CITY, UnitKind.OFFICE):
                continue
            head = self._user(
                f"head.{unit.code.lower()}", unit, [Role.UNIT_HEAD], HEAD_POSITIONS[unit.kind]
            )
            set_unit_head(
                db.session.get(Unit, unit.id),
                db.session.get(User, head.id),
                actor=None,
                now=self.now,
            )
            unit.head = head

    def _staff(self) -> None:
        """Share the remaining people among the units: big units get more."""
        eligible = [u for u in self.units.values() if u.kind in STAFF_WEIGHTS]
        remaining = self.scale.users - self.user_count
        total = sum(STAFF_WEIGHTS[u.kind] for u in eligible)
        counts = {u.id: remaining * STAFF_WEIGHTS[u.kind] // total for u in eligible}
        leftover = remaining - sum(counts.values())
        for unit in eligible[:leftover]:
            counts[unit.id] += 1
        for unit in eligible:
            for k in range(counts[unit.id]):
                member = self._user(
                    f"cv{k + 1}.{unit.code.lower()}", unit, [Role.STAFF], "Chuyên viên"
                )
                unit.staff.append(member)

    # ------------------------------------------------------------ fields

    def _fields(self, leaders: list[Member]) -> list[tuple[int, int]]:
        """The fields of work, each led by a city leader in turn."""
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
        return fields
