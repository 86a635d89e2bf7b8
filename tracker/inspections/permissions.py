"""Who may list, record and follow up inspections; load-or-404 for an inspection and a finding."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker.errors import NotFound, PermissionDenied
from tracker.extensions import db
from tracker.inspections.models import Finding, Inspection
from tracker.org.models import CITY_WIDE_ROLES, Role, User


def may_record(user: User) -> bool:
    """Tell whether the user records inspections and findings (Sở Nội vụ's inspectors)."""
    return user.is_active and user.has_role(Role.INSPECTOR)


def may_follow_up(user: User) -> bool:
    """Tell whether the user turns findings into tasks (the office, which hands out tasks)."""
    return user.is_active and user.has_role(Role.ASSIGNER)


def may_list(user: User) -> bool:
    """Tell whether the user has an inspection list at all (heads see their unit's)."""
    return user.is_active and user.has_role(
        Role.INSPECTOR, Role.ASSIGNER, Role.ADMIN, Role.UNIT_HEAD
    )


def visible_inspections_clause(user: User) -> sa.ColumnElement[bool]:
    """Return the SQL condition selecting the inspections the user may see."""
    if not user.is_active:
        return sa.false()
    if user.has_role(*CITY_WIDE_ROLES, Role.ADMIN):
        return sa.true()
    if user.has_role(Role.UNIT_HEAD):
        return Inspection.unit_id == user.unit_id
    return sa.false()


def require_list(user: User) -> None:
    """Raise PermissionDenied unless the user may open the inspection list."""
    if not may_list(user):
        raise PermissionDenied(_("Bạn không có quyền xem các đợt kiểm tra."))


def require_record(user: User) -> None:
    """Raise PermissionDenied unless the user is an inspector."""
    if not may_record(user):
        raise PermissionDenied(_("Chỉ Sở Nội vụ (thanh tra) được ghi nhận kiểm tra và kết luận."))


def require_follow_up(user: User) -> None:
    """Raise PermissionDenied unless the user may hand out a follow-up task."""
    if not may_follow_up(user):
        raise PermissionDenied(
            _(
                "Chỉ Văn phòng (người giao việc) được giao nhiệm vụ khắc phục; "
                "Sở Nội vụ đề xuất qua kiến nghị của kết luận kiểm tra."
            )
        )


def get_inspection(inspection_id: int, user: User) -> Inspection:
    """Load an inspection the user may see, or raise NotFound; a role with no inspection
    list at all is refused outright (403), as on the list."""
    require_list(user)
    found = db.session.scalar(
        sa.select(Inspection)
        .where(Inspection.id == inspection_id, visible_inspections_clause(user))
        .options(selectinload(Inspection.unit), selectinload(Inspection.document))
    )
    if found is None:
        raise NotFound(_("Không tìm thấy đợt kiểm tra."))
    return found


def get_finding(finding_id: int, user: User) -> Finding:
    """Load a finding of an inspection the user may see, or raise NotFound (403 first for
    a role with no inspection list)."""
    require_list(user)
    found = db.session.scalar(
        sa.select(Finding)
        .join(Inspection, Finding.inspection_id == Inspection.id)
        .where(Finding.id == finding_id, visible_inspections_clause(user))
    )
    if found is None:
        raise NotFound(_("Không tìm thấy kết luận kiểm tra."))
    return found


def finding_of_task(task_id: int, user: User) -> Finding | None:
    """Return the finding a task follows up, if the user may see its inspection."""
    return db.session.scalar(
        sa.select(Finding)
        .join(Inspection, Finding.inspection_id == Inspection.id)
        .where(Finding.task_id == task_id, visible_inspections_clause(user))
        .options(selectinload(Finding.inspection).selectinload(Inspection.unit))
    )
