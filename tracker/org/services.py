"""Rules for the organisation: units, users, roles and fields."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.audit.services import changed_values, record
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.org.models import CARRIER_ROLES, Field, Role, Unit, UnitKind, User, UserRole
from tracker.org.passwords import hash_password
from tracker.text import nfc

logger = logging.getLogger(__name__)

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
            _(
                "Vai trò không hợp lệ: %(unknown)s. Vai trò hợp lệ: %(valid)s.",
                unknown=", ".join(unknown),
                valid=valid,
            ),
            fields={"role": _("không hợp lệ")},
        )
    if not roles:
        raise ValidationError(
            _("Người dùng cần ít nhất một vai trò."), fields={"role": _("bắt buộc")}
        )
    return list(dict.fromkeys(roles))


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
        raise ValidationError(_("Đơn vị cần có mã và tên."), fields={"code": _("bắt buộc")})
    if unit_by_code(code) is not None:
        raise ValidationError(
            _("Mã đơn vị %(code)s đã tồn tại.", code=code), fields={"code": _("đã tồn tại")}
        )
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
            _("Thủ trưởng phải thuộc chính đơn vị đó."), fields={"head": _("sai đơn vị")}
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
    change_required: bool = False,
) -> User:
    """Create a user of a unit with the given roles.

    ``change_required``: the password was chosen by someone else (an admin, an import), so
    the person must replace it at their first sign-in (ASVS V2.3.1).
    """
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise ValidationError(
            _(
                "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang "
                "(2–80 ký tự)."
            ),
            fields={"username": _("không hợp lệ")},
        )
    if user_by_username(username) is not None:
        raise ValidationError(
            _("Tên đăng nhập %(username)s đã tồn tại.", username=username),
            fields={"username": _("đã tồn tại")},
        )
    if not full_name.strip():
        raise ValidationError(_("Cần có họ và tên."), fields={"full_name": _("bắt buộc")})
    user = User(
        username=username,
        full_name=full_name.strip(),
        unit=unit,
        position=position.strip(),
        email=(email or "").strip() or None,
        created_at=now,
        password_hash=password_hash
        or (hash_password(password, username=username) if password else None),
        password_change_required=change_required,
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
    code, name = code.strip(), name.strip()
    if not code:
        raise ValidationError(_("Lĩnh vực cần có mã."), fields={"code": _("bắt buộc")})
    if not name:
        raise ValidationError(_("Lĩnh vực cần có tên."), fields={"name": _("bắt buộc")})
    if db.session.execute(sa.select(Field.id).where(Field.code == code)).first() is not None:
        raise ValidationError(
            _("Mã lĩnh vực %(code)s đã tồn tại.", code=code), fields={"code": _("đã tồn tại")}
        )
    _check_field_leader(leader)
    field = Field(code=code, name=name, leader=leader)
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


def carriers_of(unit_id: int | None) -> list[User]:
    """Return the active people of a unit who may carry a task or answer for it (its
    leaders and officers, never an inspector or an admin), by name: the only ones a task
    form offers as accountable person or carrier."""
    if unit_id is None:
        return []
    carriers = sa.select(UserRole.user_id).where(UserRole.role.in_(CARRIER_ROLES))
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.unit_id == unit_id, User.active, User.id.in_(carriers))
            .order_by(User.full_name, User.id)
        )
    )


def list_units() -> list[Unit]:
    """Return every unit with its head, ordered by code."""
    query = sa.select(Unit).options(joinedload(Unit.head)).order_by(Unit.code)
    return list(db.session.scalars(query))


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


def _actor_name(actor: User | None) -> str:
    return actor.username if actor is not None else "system"


# ------------------------------------------------------------------ units


def member_counts() -> dict[int, int]:
    """Return the number of active users of each unit (one grouped query)."""
    query = sa.select(User.unit_id, sa.func.count()).where(User.active).group_by(User.unit_id)
    return {unit_id: count for unit_id, count in db.session.execute(query)}


def _unit_and_ancestor_ids(unit_id: int) -> set[int]:
    """Return the id of a unit and of every unit above it (one query)."""
    parents = dict(db.session.execute(sa.select(Unit.id, Unit.parent_id)).all())
    seen: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in seen:
        seen.add(current)
        current = parents.get(current)
    return seen


def _unit_values(unit: Unit) -> dict:
    return {
        "name": unit.name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "head_id": unit.head_id,
    }


def update_unit(
    unit: Unit,
    *,
    name: str,
    kind: UnitKind,
    parent: Unit | None,
    head: User | None,
    actor: User | None,
    now: datetime,
) -> Unit:
    """Rename, reclassify or move a unit, and name (or clear) its head."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Đơn vị cần có tên."), fields={"name": _("bắt buộc")})
    if parent is not None and unit.id in _unit_and_ancestor_ids(parent.id):
        raise ValidationError(
            _(
                "Không thể đặt %(unit)s trực thuộc %(parent)s: một đơn vị không thể "
                "trực thuộc chính nó hay một đơn vị cấp dưới của nó.",
                unit=unit.name,
                parent=parent.name,
            ),
            fields={"parent": _("tạo thành vòng")},
        )
    if head is not None and head.unit_id != unit.id:
        raise ValidationError(
            _("Thủ trưởng phải thuộc chính đơn vị đó."), fields={"head": _("sai đơn vị")}
        )
    if head is not None and head.id != unit.head_id and not head.active:
        raise ValidationError(
            _(
                "Tài khoản %(username)s đã bị khoá, không thể làm thủ trưởng.",
                username=head.username,
            ),
            fields={"head": _("đã bị khoá")},
        )
    before = _unit_values(unit)
    unit.name, unit.kind, unit.parent, unit.head = name, UnitKind(kind), parent, head
    db.session.flush()
    old, new = changed_values(before, _unit_values(unit))
    if new:
        record("unit.updated", unit, actor=actor, now=now, before=old, after=new)
        logger.info("Unit %s updated by %s", unit.code, _actor_name(actor))
    return unit


def set_unit_active(unit: Unit, active: bool, *, actor: User | None, now: datetime) -> None:
    """Deactivate a unit (no longer offered for new work) or reactivate it."""
    if unit.active == active:
        return
    unit.active = active
    db.session.flush()
    record(
        "unit.reactivated" if active else "unit.deactivated",
        unit,
        actor=actor,
        now=now,
        before={"active": not active},
        after={"active": active},
    )
    logger.info("Unit %s set active=%s by %s", unit.code, active, _actor_name(actor))


# ------------------------------------------------------------------ users


@dataclass
class UserFilters:
    """What the admin can narrow the user list by."""

    q: str = ""
    unit_id: int | None = None
    role: Role | None = None
    active: bool | None = None


@dataclass
class UserPage:
    rows: list[User]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_users(filters: UserFilters, *, page: int = 1, per_page: int = 25) -> UserPage:
    """Return one page of users narrowed by unit, role, state and words of name or username."""
    query = sa.select(User)
    if filters.unit_id is not None:
        query = query.where(User.unit_id == filters.unit_id)
    if filters.role is not None:
        query = query.where(User.role_rows.any(UserRole.role == filters.role))
    if filters.active is not None:
        query = query.where(User.active == filters.active)
    for word in nfc(filters.q).split()[:8]:
        # Escaped so that % and _ typed by a person match themselves.
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            sa.or_(
                User.username.ilike(pattern, escape="\\"),
                User.full_name.ilike(pattern, escape="\\"),
            )
        )
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(query.subquery())
    ).scalar_one()
    page = max(1, page)
    rows = db.session.scalars(
        query.options(joinedload(User.unit))
        .order_by(User.username)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return UserPage(list(rows), total, page, per_page)


def users_with_role(role: Role) -> list[User]:
    """Return the active users holding a role, by name."""
    query = (
        sa.select(User)
        .where(User.active, User.role_rows.any(UserRole.role == role))
        .order_by(User.full_name)
    )
    return list(db.session.scalars(query))


def _user_values(user: User) -> dict:
    return {
        "full_name": user.full_name,
        "unit_id": user.unit_id,
        "position": user.position or "",
        "email": user.email,
        "roles": sorted(role.value for role in user.roles),
    }


def update_user(
    user: User,
    *,
    full_name: str,
    unit: Unit,
    position: str,
    email: str | None,
    roles: list[Role],
    actor: User | None,
    now: datetime,
) -> User:
    """Change a user's name, unit, position, e-mail and roles."""
    full_name = full_name.strip()
    if not full_name:
        raise ValidationError(_("Cần có họ và tên."), fields={"full_name": _("bắt buộc")})
    if not roles:
        raise ValidationError(
            _("Người dùng cần ít nhất một vai trò."), fields={"role": _("bắt buộc")}
        )
    roles = list(dict.fromkeys(Role(role) for role in roles))
    is_self = actor is not None and actor.id == user.id
    if is_self and user.has_role(Role.ADMIN) and Role.ADMIN not in roles:
        raise ValidationError(
            _("Bạn không thể tự bỏ vai trò quản trị của chính mình."),
            fields={"role": _("không tự bỏ quyền quản trị")},
        )
    if unit.id != user.unit_id:
        headed = db.session.scalars(sa.select(Unit.name).where(Unit.head_id == user.id)).all()
        if headed:
            raise ValidationError(
                _(
                    "%(name)s đang là thủ trưởng %(units)s; hãy chọn thủ trưởng "
                    "khác cho đơn vị đó trước khi chuyển người này sang đơn vị mới.",
                    name=user.full_name,
                    units=", ".join(headed),
                ),
                fields={"unit": _("đang là thủ trưởng")},
            )
    if user.has_role(Role.LEADER) and Role.LEADER not in roles:
        led = db.session.scalars(sa.select(Field.name).where(Field.leader_id == user.id)).all()
        if led:
            raise ValidationError(
                _(
                    "%(name)s đang phụ trách lĩnh vực %(fields)s; hãy giao lĩnh vực "
                    "cho lãnh đạo khác trước khi bỏ vai trò lãnh đạo.",
                    name=user.full_name,
                    fields=", ".join(led),
                ),
                fields={"role": _("đang phụ trách lĩnh vực")},
            )
    before = _user_values(user)
    user.full_name = full_name
    user.unit = unit
    user.position = position.strip()
    user.email = (email or "").strip() or None
    kept = [row for row in user.role_rows if row.role in roles]
    held = {row.role for row in kept}
    user.role_rows = kept + [UserRole(role=role) for role in roles if role not in held]
    db.session.flush()
    old, new = changed_values(before, _user_values(user))
    if new:
        record("user.updated", user, actor=actor, now=now, before=old, after=new)
        logger.info("User %s updated by %s", user.username, _actor_name(actor))
    return user


def set_user_active(user: User, active: bool, *, actor: User | None, now: datetime) -> None:
    """Deactivate a user (they can no longer sign in) or reactivate them."""
    if not active and actor is not None and actor.id == user.id:
        raise ValidationError(
            _("Bạn không thể tự khoá tài khoản của chính mình."),
            fields={"active": _("chính mình")},
        )
    if user.active == active:
        return
    user.active = active
    if not active:
        # Its sessions and sign-in tokens end now, and stay ended if it is reopened.
        user.sessions_valid_after = now
    db.session.flush()
    record(
        "user.reactivated" if active else "user.deactivated",
        user,
        actor=actor,
        now=now,
        before={"active": not active},
        after={"active": active},
    )
    logger.info("User %s set active=%s by %s", user.username, active, _actor_name(actor))


def reset_password(user: User, password: str, *, actor: User | None, now: datetime) -> None:
    """Give a user a new password chosen by the admin (the policy of hash_password applies).

    The user's sessions and sign-in tokens end (someone else may have known the old
    password), and the user must choose their own password at the next sign-in.
    """
    user.password_hash = hash_password(password, username=user.username)
    user.sessions_valid_after = now
    user.password_change_required = actor is None or actor.id != user.id
    db.session.flush()
    # Neither the password nor its hash goes into the audit trail.
    record("user.password_reset", user, actor=actor, now=now)
    logger.info("Password of %s reset by %s", user.username, _actor_name(actor))


# ------------------------------------------------------------------ fields


def _check_field_leader(leader: User | None) -> None:
    if leader is not None and not leader.has_role(Role.LEADER):
        raise ValidationError(
            _("Lãnh đạo phụ trách lĩnh vực phải có vai trò lãnh đạo."),
            fields={"leader": _("không phải lãnh đạo")},
        )


def list_fields() -> list[Field]:
    """Return every field with its leader, by name."""
    query = sa.select(Field).options(joinedload(Field.leader)).order_by(Field.name)
    return list(db.session.scalars(query))


def update_field(
    field: Field, *, name: str, leader: User | None, actor: User | None, now: datetime
) -> Field:
    """Rename a field or change the leader who supervises it."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Lĩnh vực cần có tên."), fields={"name": _("bắt buộc")})
    _check_field_leader(leader)
    if leader is not None and leader.id != field.leader_id and not leader.active:
        raise ValidationError(
            _(
                "Tài khoản %(username)s đã bị khoá, không thể phụ trách lĩnh vực.",
                username=leader.username,
            ),
            fields={"leader": _("đã bị khoá")},
        )
    before = {"name": field.name, "leader_id": field.leader_id}
    field.name, field.leader = name, leader
    db.session.flush()
    old, new = changed_values(before, {"name": field.name, "leader_id": field.leader_id})
    if new:
        record("field.updated", field, actor=actor, now=now, before=old, after=new)
        logger.info("Field %s updated by %s", field.code, _actor_name(actor))
    return field
