"""Who may manage the organisation: the admin role."""

from __future__ import annotations

from functools import wraps

from flask_babel import gettext as _
from flask_login import current_user

from tracker.errors import NotFound, PermissionDenied
from tracker.extensions import db
from tracker.org.models import Field, Role, Unit, User


def may_administer(user) -> bool:
    """Tell whether the user administers the organisation and the system's settings."""
    return user.is_authenticated and user.is_active and user.has_role(Role.ADMIN)


def require_admin(user) -> None:
    """Raise PermissionDenied unless the user administers the system."""
    if not may_administer(user):
        raise PermissionDenied(_("Chỉ quản trị hệ thống được thực hiện thao tác này."))


def admin_required(view):
    """Refuse the view to anyone but an admin (403)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        require_admin(current_user)
        return view(*args, **kwargs)

    return wrapped


def get_unit(unit_id: int) -> Unit:
    """Load a unit or raise NotFound (admin pages check the role with the decorator)."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(_("Không tìm thấy đơn vị."))
    return unit


def get_user(user_id: int) -> User:
    """Load a user or raise NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("Không tìm thấy người dùng."))
    return user


def get_field(field_id: int) -> Field:
    """Load a field (lĩnh vực) or raise NotFound."""
    field = db.session.get(Field, field_id)
    if field is None:
        raise NotFound(_("Không tìm thấy lĩnh vực."))
    return field
