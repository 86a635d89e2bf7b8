"""Rules for the organisation: units, users, roles and fields."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import generate_password_hash

from tracker.audit.services import record
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.org.models import Field, Role, Unit, UnitKind, User, UserRole

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


def unit_by_code(code: str) -> Unit | None:
    """Return the unit with this code, or None."""
    return db.session.execute(sa.select(Unit).where(Unit.code == code)).scalar_one_or_none()


def user_by_username(username: str) -> User | None:
    """Return the user with this username (case-insensitive), or None."""
    query = sa.select(User).where(User.username == username.strip().lower())
    return db.session.execute(query).scalar_one_or_none()


def parse_roles(names: Iterable[str]) -> list[Role]:
    """Turn role names into roles, refusing unknown ones by name."""
    roles, unknown = [], []
    for name in names:
        try:
            roles.append(Role(name.strip()))
        except ValueError:
            unknown.append(name)
    if unknown:
        valid = ", ".join(r.value for r in Role)
        raise ValidationError(
            f"Vai trò không hợp lệ: {', '.join(unknown)}. Vai trò hợp lệ: {valid}.",
            fields={"role": "không hợp lệ"},
        )
    if not roles:
        raise ValidationError("Người dùng cần ít nhất một vai trò.", fields={"role": "bắt buộc"})
    return list(dict.fromkeys(roles))


def hash_password(password: str) -> str:
    """Check the password policy and return its hash (scrypt, werkzeug's default)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
            fields={"password": "quá ngắn"},
        )
    return generate_password_hash(password)


def create_unit(
    *,
    code: str,
    name: str,
    kind: UnitKind,
    parent: Unit | None,
    actor: User | None,
    now: datetime,
) -> Unit:
    """Add a unit to the tree."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationError("Đơn vị cần có mã và tên.", fields={"code": "bắt buộc"})
    if unit_by_code(code) is not None:
        raise ValidationError(f"Mã đơn vị {code} đã tồn tại.", fields={"code": "đã tồn tại"})
    unit = Unit(code=code, name=name, kind=UnitKind(kind), parent=parent)
    db.session.add(unit)
    db.session.flush()
    record(
        "unit.created",
        unit,
        actor=actor,
        now=now,
        after={"code": code, "name": name, "kind": unit.kind, "parent_id": unit.parent_id},
    )
    logger.info("Unit %s created", code)
    return unit


def set_unit_head(unit: Unit, head: User, *, actor: User | None, now: datetime) -> None:
    """Name the head of a unit; the head must work in it."""
    if head.unit_id != unit.id:
        raise ValidationError(
            "Thủ trưởng phải thuộc chính đơn vị đó.", fields={"head": "sai đơn vị"}
        )
    before = unit.head_id
    unit.head_id = head.id
    db.session.flush()
    record(
        "unit.head_changed",
        unit,
        actor=actor,
        now=now,
        before={"head_id": before},
        after={"head_id": head.id},
    )


def create_user(
    *,
    username: str,
    full_name: str,
    unit: Unit,
    roles: list[Role],
    position: str = "",
    email: str | None = None,
    password: str | None = None,
    password_hash: str | None = None,
    actor: User | None,
    now: datetime,
) -> User:
    """Create a user of a unit with the given roles."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise ValidationError(
            "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang "
            "(2–80 ký tự).",
            fields={"username": "không hợp lệ"},
        )
    if user_by_username(username) is not None:
        raise ValidationError(
            f"Tên đăng nhập {username} đã tồn tại.", fields={"username": "đã tồn tại"}
        )
    if not full_name.strip():
        raise ValidationError("Cần có họ và tên.", fields={"full_name": "bắt buộc"})
    user = User(
        username=username,
        full_name=full_name.strip(),
        unit=unit,
        position=position.strip(),
        email=(email or "").strip() or None,
        created_at=now,
        password_hash=password_hash or (hash_password(password) if password else None),
    )
    user.role_rows = [UserRole(role=role) for role in roles]
    db.session.add(user)
    db.session.flush()
    record(
        "user.created",
        user,
        actor=actor,
        now=now,
        after={
            "username": username,
            "full_name": user.full_name,
            "unit_id": unit.id,
            "roles": sorted(r.value for r in roles),
            "email": user.email,
        },
    )
    logger.info("User %s created in unit %s", username, unit.code)
    return user


def create_field(
    *, code: str, name: str, leader: User | None, actor: User | None, now: datetime
) -> Field:
    """Add a field of work and the leader who supervises it."""
    if leader is not None and not leader.has_role(Role.LEADER):
        raise ValidationError(
            "Lãnh đạo phụ trách lĩnh vực phải có vai trò lãnh đạo.",
            fields={"leader": "không phải lãnh đạo"},
        )
    field = Field(code=code.strip(), name=name.strip(), leader=leader)
    db.session.add(field)
    db.session.flush()
    record(
        "field.created",
        field,
        actor=actor,
        now=now,
        after={"code": field.code, "name": field.name, "leader_id": field.leader_id},
    )
    return field


def list_units() -> list[Unit]:
    """Return every unit, ordered by code."""
    return list(db.session.scalars(sa.select(Unit).order_by(Unit.code)))


def list_users() -> list[User]:
    """Return every user with their unit, ordered by username."""
    query = sa.select(User).options(joinedload(User.unit)).order_by(User.username)
    return list(db.session.scalars(query))


def unit_tree() -> list[Unit]:
    """Return the root units with every unit's children loaded (one query)."""
    units = list_units()
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    for unit in units:
        set_committed_value(unit, "children", children.get(unit.id, []))
    return children.get(None, [])
