"""Who may manage the organisation: the admin role."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from tracker.errors import PermissionDenied
from tracker.org.models import Role


def require_admin(user) -> None:
    """Raise PermissionDenied unless the user administers the system."""
    if not (user.is_authenticated and user.is_active and user.has_role(Role.ADMIN)):
        raise PermissionDenied("Chỉ quản trị hệ thống được thực hiện thao tác này.")


def admin_required(view):
    """Refuse the view to anyone but an admin (403)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        require_admin(current_user)
        return view(*args, **kwargs)

    return wrapped
