"""Who may open the oversight pages: those who follow others' work."""

from __future__ import annotations

from flask_babel import gettext as _

from tracker.errors import PermissionDenied
from tracker.org.models import CITY_WIDE_ROLES, OVERSIGHT_ROLES, Role, User


def may_oversee(user: User) -> bool:
    """Tell whether the user follows others' work (figures stay limited to the tasks the
    user may see)."""
    return user.is_active and user.has_role(*OVERSIGHT_ROLES)


def require_oversight(user: User) -> None:
    """Raise PermissionDenied unless the user may open the oversight pages."""
    if not may_oversee(user):
        raise PermissionDenied(
            _("Trang tổng hợp dành cho Sở Nội vụ, Văn phòng, lãnh đạo và thủ trưởng đơn vị.")
        )


def may_read_notice_log(user: User) -> bool:
    """Those who see every task (the office, Sở Nội vụ) and those who run the system."""
    return user.is_active and user.has_role(*CITY_WIDE_ROLES, Role.ADMIN)
