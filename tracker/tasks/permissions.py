"""Who may see a task and who may do what to it: the one place the web and API ask.

An action is allowed when the user's role and unit allow it *and* the task's state
allows it, so a page shows exactly the buttons that will work.
"""

from __future__ import annotations

import enum
import functools

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from tracker.errors import NotFound, PermissionDenied
from tracker.extensions import db
from tracker.org.models import CARRIER_ROLES, CITY_WIDE_ROLES, Field, Role, User
from tracker.tasks.models import (
    Coordination,
    ExtensionRequest,
    ExtensionStatus,
    Task,
    TaskState,
)
from tracker.text import N_


class Action(enum.StrEnum):
    EDIT = "edit"
    ISSUE = "issue"
    ACCEPT = "accept"
    ASSIGN = "assign"
    REPORT_PROGRESS = "report_progress"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    SUBMIT = "submit"
    REVIEW = "review"
    WITHDRAW = "withdraw"
    SPLIT = "split"  # give parts of the task to the units below as sub-tasks


S = TaskState
# The lifecycle: in which states each action can be taken at all.
ACTION_STATES: dict[Action, frozenset[TaskState]] = {
    Action.EDIT: frozenset({S.DRAFT, S.ISSUED, S.ACCEPTED, S.IN_PROGRESS}),
    Action.ISSUE: frozenset({S.DRAFT}),
    Action.ACCEPT: frozenset({S.ISSUED}),
    Action.ASSIGN: frozenset({S.ACCEPTED, S.IN_PROGRESS}),
    Action.REPORT_PROGRESS: frozenset({S.ACCEPTED, S.IN_PROGRESS}),
    Action.REQUEST_EXTENSION: frozenset({S.ISSUED, S.ACCEPTED, S.IN_PROGRESS}),
    Action.DECIDE_EXTENSION: frozenset({S.ISSUED, S.ACCEPTED, S.IN_PROGRESS, S.SUBMITTED}),
    Action.SUBMIT: frozenset({S.ACCEPTED, S.IN_PROGRESS}),
    Action.REVIEW: frozenset({S.SUBMITTED}),
    Action.WITHDRAW: frozenset({S.ISSUED, S.ACCEPTED, S.IN_PROGRESS}),
    Action.SPLIT: frozenset({S.ACCEPTED, S.IN_PROGRESS}),
}

_ASSIGNER_ACTIONS = frozenset(
    {Action.EDIT, Action.ISSUE, Action.DECIDE_EXTENSION, Action.REVIEW, Action.WITHDRAW}
)


def is_lead_unit_head(user: User, task: Task) -> bool:
    """Tell whether the user heads (or deputises for) the task's lead unit."""
    return user.has_role(Role.UNIT_HEAD) and user.unit_id == task.lead_unit_id


def _answers_for(user: User, task: Task) -> bool:
    return user.id == task.accountable_user_id or is_lead_unit_head(user, task)


def _carries(user: User, task: Task) -> bool:
    return _answers_for(user, task) or user.id == task.assignee_user_id


def _has_pending_extension(task: Task) -> bool:
    return any(r.status == ExtensionStatus.PENDING for r in task.extension_requests)


def assigns(user: User, task: Task) -> bool:
    """Tell whether the user is the task's assigner: the office for the city's tasks, the
    head of the parent's lead unit for a sub-task."""
    if task.parent is not None:
        return is_lead_unit_head(user, task.parent)
    return user.has_role(Role.ASSIGNER)


def assigned_by_clause(user: User) -> sa.ColumnElement[bool]:
    """The SQL twin of ``assigns``: the city's tasks for the office, the sub-tasks of their
    unit's tasks for a head."""
    clauses = []
    if user.has_role(Role.ASSIGNER):
        clauses.append(Task.parent_id.is_(None))
    if user.has_role(Role.UNIT_HEAD) and user.unit_id is not None:
        parent = aliased(Task)
        led_by_unit = sa.select(parent.id).where(parent.lead_unit_id == user.unit_id)
        clauses.append(Task.parent_id.in_(led_by_unit))
    return sa.or_(*clauses) if clauses else sa.false()


def _role_allows(user: User, action: Action, task: Task) -> bool:
    # Who, by role and unit, only: what the task's state allows is state_allows's, so a
    # person refused for the state (409) is never told they lack the right (403).
    if action in _ASSIGNER_ACTIONS:
        return assigns(user, task)
    if action in (Action.ACCEPT, Action.ASSIGN, Action.SPLIT):
        return is_lead_unit_head(user, task)
    if action == Action.REQUEST_EXTENSION:
        return _answers_for(user, task)
    return _carries(user, task)  # progress and result: whoever carries the task


def state_allows(action: Action, task: Task) -> bool:
    """Tell whether the lifecycle allows the action in the task's current state."""
    return task.state in ACTION_STATES[action]


def extension_allows(action: Action, task: Task) -> bool:
    """Tell whether the task's extension requests allow the action: one decides only a
    pending request, and asks again only when none is pending."""
    if action == Action.DECIDE_EXTENSION:
        return _has_pending_extension(task)
    if action == Action.REQUEST_EXTENSION:
        return not _has_pending_extension(task)
    return True


def may(user: User, action: Action, task: Task) -> bool:
    """Tell whether the user may take the action on the task now."""
    return (
        user.is_active
        and state_allows(action, task)
        and extension_allows(action, task)
        and _role_allows(user, action, task)
    )


def allowed_actions(user: User, task: Task) -> frozenset[Action]:
    """Return every action the user may take on the task now."""
    return frozenset(action for action in Action if may(user, action, task))


def sees_every_task(user: User) -> bool:
    """Tell whether the user may see every task of the city (the office, the inspectors)."""
    return user.is_active and user.has_role(*CITY_WIDE_ROLES)


def coordinated_by(unit_id: int | None) -> sa.ColumnElement[bool]:
    """Return the SQL condition: the unit coordinates the task."""
    return sa.exists().where(Coordination.task_id == Task.id, Coordination.unit_id == unit_id)


def visible_tasks_clause(user: User) -> sa.ColumnElement[bool]:
    """Return the SQL condition selecting the tasks the user may see."""
    if not user.is_active:
        return sa.false()
    if sees_every_task(user):
        return sa.true()
    return _visible_to(user.id, user.unit_id, user.roles)


# Built once for each person, unit and roles, and shared by every statement that uses it:
# a page asks for it several times, and its EXISTS clauses cost more to build than to run.
# A person moved or given other roles has another key, so never a stale condition.
@functools.lru_cache(maxsize=1024)
def _visible_to(user_id: int, unit_id: int | None, roles: frozenset[Role]):
    clauses: list[sa.ColumnElement[bool]] = []
    if Role.LEADER in roles:
        led_fields = sa.select(Field.id).where(Field.leader_id == user_id)
        clauses += [Task.supervisor_id == user_id, Task.field_id.in_(led_fields)]
    own_drafts = sa.false()
    if roles & set(CARRIER_ROLES):
        # EXISTS, row by row: checking one task costs two index probes, where "IN (every
        # task the unit coordinates or gave out)" would gather thousands first.
        coordinated = coordinated_by(unit_id)
        # The sub-tasks of the unit's own tasks: the unit gave them out and answers for them.
        parent = aliased(Task)
        given_out = sa.exists().where(parent.id == Task.parent_id, parent.lead_unit_id == unit_id)
        clauses += [
            Task.lead_unit_id == unit_id,
            coordinated,
            Task.accountable_user_id == user_id,
            Task.assignee_user_id == user_id,
            given_out,
        ]
        if Role.UNIT_HEAD in roles:
            own_drafts = given_out
    if not clauses:
        return sa.false()
    # Drafts are the assigner's work in progress, not yet anybody's task.
    return sa.and_(sa.or_(Task.state != TaskState.DRAFT, own_drafts), sa.or_(*clauses))


def can_view(user: User, task: Task) -> bool:
    """Tell whether the user may see the task."""
    query = sa.select(sa.literal(1)).where(Task.id == task.id, visible_tasks_clause(user))
    return db.session.execute(query).first() is not None


def get_task(task_id: int, user: User, action: Action | None = None) -> Task:
    """Load a task the user may see, or raise NotFound; then check the action, if any.

    A task the user may not see is reported as not found, so its existence leaks nothing.
    """
    task = db.session.get(Task, task_id)
    if task is None or not can_view(user, task):
        raise NotFound(_("Không tìm thấy nhiệm vụ."))
    if action is not None:
        require(user, action, task)
    return task


def get_extension_request(
    request_id: int, user: User, action: Action | None = None
) -> ExtensionRequest:
    """Load an extension request whose task the user may see, or raise NotFound; then
    check the action on its task, if any."""
    request = db.session.get(ExtensionRequest, request_id)
    if request is None or not can_view(user, request.task):
        raise NotFound(_("Không tìm thấy đề nghị gia hạn."))
    if action is not None:
        require(user, action, request.task)
    return request


def may_create(user: User) -> bool:
    """Tell whether the user drafts and issues tasks (the office, as assigner)."""
    return user.is_active and user.has_role(Role.ASSIGNER)


def require_can_create(user: User) -> None:
    """Raise PermissionDenied unless the user may draft tasks (the office, as assigner)."""
    if not may_create(user):
        raise PermissionDenied(_("Chỉ Văn phòng (người giao việc) được soạn nhiệm vụ."))


def may_give_out(user: User) -> bool:
    """Tell whether the user hands tasks to many units at once: the office the city's
    tasks, a unit head the sub-tasks of their unit's tasks."""
    return user.is_active and user.has_role(Role.ASSIGNER, Role.UNIT_HEAD)


def require_can_give_out(user: User) -> None:
    """Raise PermissionDenied unless the user hands tasks to many units at all."""
    if not may_give_out(user):
        raise PermissionDenied(
            _("Chỉ Văn phòng và lãnh đạo đơn vị chủ trì được giao nhiệm vụ cho nhiều đơn vị.")
        )


def group_parent(parent_id: int | None, user: User) -> Task | None:
    """Check that the user may issue one task to many units, and load the task they would
    be sub-tasks of (``parent_id``), which the user must be able to split; None for the
    city's own tasks, which only the office gives out."""
    require_can_give_out(user)
    if parent_id is not None:
        return get_task(parent_id, user, Action.SPLIT)
    require_can_create(user)
    return None


def require(user: User, action: Action, task: Task) -> None:
    """Raise PermissionDenied unless the user's role and unit allow the action."""
    if not (user.is_active and _role_allows(user, action, task)):
        raise PermissionDenied(_(_DENIED[action]))


_DENIED = {
    Action.EDIT: N_("Chỉ Văn phòng (người giao việc) được sửa nhiệm vụ."),
    Action.ISSUE: N_("Chỉ Văn phòng (người giao việc) được ban hành nhiệm vụ."),
    Action.SPLIT: N_("Chỉ lãnh đạo đơn vị chủ trì được giao nhiệm vụ con."),
    Action.ACCEPT: N_("Chỉ lãnh đạo đơn vị chủ trì được tiếp nhận nhiệm vụ."),
    Action.ASSIGN: N_("Chỉ lãnh đạo đơn vị chủ trì được phân công người thực hiện."),
    Action.REPORT_PROGRESS: N_(
        "Chỉ người thực hiện, người chịu trách nhiệm hoặc lãnh đạo "
        "đơn vị chủ trì được báo cáo tiến độ."
    ),
    Action.REQUEST_EXTENSION: N_(
        "Chỉ người chịu trách nhiệm hoặc lãnh đạo đơn vị chủ trì được đề nghị gia hạn."
    ),
    Action.DECIDE_EXTENSION: N_("Chỉ Văn phòng (người giao việc) được quyết định gia hạn."),
    Action.SUBMIT: N_(
        "Chỉ người thực hiện, người chịu trách nhiệm hoặc lãnh đạo đơn vị chủ trì "
        "được báo cáo kết quả."
    ),
    Action.REVIEW: N_("Chỉ Văn phòng (người giao việc) được đánh giá kết quả."),
    Action.WITHDRAW: N_("Chỉ Văn phòng (người giao việc) được thu hồi nhiệm vụ."),
}
