"""What waits for a person ("Chờ tôi xử lý"), and what each item needs from them.

A head accepts what was issued to their unit; the assigner (the office, or for a sub-task
the head of the unit above) decides extensions and reviews results; whoever carries a task
reports its progress when nothing was reported for PROGRESS_REPORT_DAYS, and submits its
result once it is done or was sent back. The needs are read together in one query (a
UNION of one branch per need, oldest wait first, limited to a page) and their tasks in one
more, so the home page and ``GET /api/v1/me/pending`` cost the same at any number of tasks.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from tracker.dbtypes import UTCDateTime
from tracker.extensions import db
from tracker.org.models import Role, User
from tracker.tasks.classification import AsOf, Category, category_sql, due_soon_sql
from tracker.tasks.models import (
    ExtensionRequest,
    ExtensionStatus,
    Review,
    Task,
    TaskState,
    without_long_texts,
)
from tracker.tasks.permissions import assigned_by_clause, visible_tasks_clause


class Needed(enum.StrEnum):
    """What a waiting task needs from the person (the API's ``needed`` codes)."""

    ACCEPT = "accept"
    DECIDE_EXTENSION = "decide_extension"
    REVIEW = "review"
    REPORT_PROGRESS = "report_progress"
    SUBMIT_RESULT = "submit_result"


NEEDED_LABELS = {
    Needed.ACCEPT: _l("Tiếp nhận, phân công người thực hiện"),
    Needed.DECIDE_EXTENSION: _l("Quyết định đề nghị gia hạn"),
    Needed.REVIEW: _l("Đánh giá kết quả"),
    Needed.REPORT_PROGRESS: _l("Báo cáo tiến độ"),
    Needed.SUBMIT_RESULT: _l("Báo cáo kết quả"),
}


@dataclass
class PendingItem:
    task: Task
    needed: Needed
    since: datetime  # when the wait began: issue, request, submission, last report
    category: Category
    due_soon: bool


def _carried_by(user: User) -> sa.ColumnElement[bool]:
    """The tasks this person carries: as the named carrier, or as the accountable person
    of a task without one."""
    return sa.or_(
        Task.assignee_user_id == user.id,
        sa.and_(Task.assignee_user_id.is_(None), Task.accountable_user_id == user.id),
    )


def _needs(user: User, now: datetime) -> list[tuple[Needed, sa.ColumnElement, sa.ColumnElement]]:
    """Each need as (code, which tasks, since when)."""
    pending_request = (
        sa.select(sa.func.min(ExtensionRequest.requested_at))
        .where(
            ExtensionRequest.task_id == Task.id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
        .scalar_subquery()
    )
    submitted = (
        sa.select(sa.func.max(Review.submitted_at))
        .where(Review.task_id == Task.id)
        .scalar_subquery()
    )
    last_report = sa.func.coalesce(Task.last_progress_at, Task.accepted_at, Task.issued_at)
    quiet_since = now - timedelta(days=current_app.config["PROGRESS_REPORT_DAYS"])
    # Accepted and not submitted: only then can a carrier report or submit.
    running = Task.state.in_((TaskState.ACCEPTED, TaskState.IN_PROGRESS))
    carried = _carried_by(user)
    needs = []
    if user.has_role(Role.UNIT_HEAD) and user.unit_id is not None:
        accept = sa.and_(Task.state == TaskState.ISSUED, Task.lead_unit_id == user.unit_id)
        needs.append((Needed.ACCEPT, accept, Task.issued_at))
    assigned = assigned_by_clause(user)
    needs += [
        (Needed.DECIDE_EXTENSION, sa.and_(assigned, pending_request.is_not(None)), pending_request),
        (Needed.REVIEW, sa.and_(assigned, Task.state == TaskState.SUBMITTED), submitted),
        (
            Needed.SUBMIT_RESULT,
            sa.and_(carried, running, sa.or_(Task.returned, Task.progress_percent >= 100)),
            sa.func.coalesce(Task.last_progress_at, Task.accepted_at),
        ),
        (
            Needed.REPORT_PROGRESS,
            sa.and_(
                carried,
                running,
                sa.not_(Task.returned),
                Task.progress_percent < 100,
                last_report < quiet_since,
            ),
            last_report,
        ),
    ]
    return needs


def pending_for(user: User, as_of: AsOf, *, now: datetime, limit: int = 50) -> list[PendingItem]:
    """Return what waits for the person, oldest wait first: one query for all the needs
    together (a union), one for their tasks."""
    visible = visible_tasks_clause(user)
    parts = [
        sa.select(
            Task.id.label("task_id"),
            sa.literal(code.value).label("needed"),
            # One type for every branch, so the union hands back aware instants.
            sa.type_coerce(since, UTCDateTime).label("since"),
        ).where(which, visible)
        for code, which, since in _needs(user, now)
    ]
    union = sa.union_all(*parts).subquery()
    found = db.session.execute(
        sa.select(union.c.task_id, union.c.needed, union.c.since)
        .order_by(union.c.since.asc().nulls_last(), union.c.task_id)
        .limit(limit)
    ).all()
    if not found:
        return []
    category, soon = category_sql(as_of), due_soon_sql(as_of)
    loaded = {
        task.id: (task, cat, bool(s))
        for task, cat, s in db.session.execute(
            sa.select(Task, category, soon)
            .where(Task.id.in_({row.task_id for row in found}))
            .options(
                *without_long_texts(),
                selectinload(Task.lead_unit),
                selectinload(Task.accountable_user),
            )
        )
    }
    return [
        PendingItem(
            task=loaded[row.task_id][0],
            needed=Needed(row.needed),
            since=row.since,
            category=Category(loaded[row.task_id][1]),
            due_soon=loaded[row.task_id][2],
        )
        for row in found
    ]
