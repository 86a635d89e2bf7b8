"""Units, users, roles and fields."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.clock import utcnow
from tracker.dbtypes import UTCDateTime, enum_column
from tracker.extensions import db


class UnitKind(enum.StrEnum):
    CITY = "city"
    OFFICE = "office"
    DEPARTMENT = "department"
    DISTRICT = "district"
    COMMUNE = "commune"
    DIVISION = "division"
    PUBLIC_SERVICE = "public_service"


class EmailMode(enum.StrEnum):
    IMMEDIATE = "immediate"  # each notice by email as it happens
    DIGEST = "digest"  # one morning email with everything since the last one
    NONE = "none"  # in-app inbox only


class Role(enum.StrEnum):
    ADMIN = "admin"
    ASSIGNER = "assigner"
    LEADER = "leader"
    UNIT_HEAD = "unit_head"
    STAFF = "staff"
    INSPECTOR = "inspector"


# The named groups of roles, each written once (the rules that use them are elsewhere).
# The people who take on a unit's tasks: its head and its staff. An inspector reads, an
# admin administers, a leader supervises; none of them is answerable for a task's work.
CARRIER_ROLES = (Role.UNIT_HEAD, Role.STAFF)
# Who sees every task of the city: the office that gives them out, Sở Nội vụ that audits.
CITY_WIDE_ROLES = (Role.ASSIGNER, Role.INSPECTOR)
# Who follows the figures and the escalation records: the city-wide roles, the leaders of
# fields, the heads of units (their own unit's).
OVERSIGHT_ROLES = (Role.INSPECTOR, Role.ASSIGNER, Role.LEADER, Role.UNIT_HEAD)
# Who reads the audit trail: those who run the system and those who audit the city.
AUDIT_READER_ROLES = (Role.ADMIN, Role.INSPECTOR)


class Unit(db.Model):
    """An organisation unit: the city, a department, a district, a commune, a division…"""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind, "unit_kind"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    head_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", use_alter=True, name="fk_units_head_id_users")
    )
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.code")
    head: Mapped[User | None] = relationship(foreign_keys=[head_id], post_update=True)
    members: Mapped[list[User]] = relationship(
        back_populates="unit", foreign_keys="User.unit_id", order_by="User.full_name"
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)


class User(UserMixin, db.Model):
    """A person who signs in: an official of one unit, with one or more roles."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(255))
    email: Mapped[str | None] = mapped_column(sa.String(255))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    position: Mapped[str | None] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # Set by an admin's reset or an import: the person must choose their own at sign-in.
    password_change_required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Sessions and sign-in tokens begun before this instant no longer count (a password
    # change or reset, a deactivation).
    sessions_valid_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)
    email_mode: Mapped[EmailMode] = mapped_column(
        enum_column(EmailMode, "email_mode"),
        default=EmailMode.IMMEDIATE,
        server_default="immediate",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="members", foreign_keys=[unit_id])
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        """Tell whether the user holds any of the given roles."""
        return any(row.role in roles for row in self.role_rows)

    @property
    def may_carry_tasks(self) -> bool:
        """Tell whether the person may be accountable for or carry a task (CARRIER_ROLES)."""
        return self.has_role(*CARRIER_ROLES)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Field(db.Model):
    """A field of work (lĩnh vực) and the leader who supervises it."""

    __tablename__ = "fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)

    leader: Mapped[User | None] = relationship()
