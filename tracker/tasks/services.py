"""The rules of a task's life: drafting, the 5 rõ gate, transitions, progress,
extensions and review.

Every function takes the acting user and the time ``now`` explicitly, flushes but
never commits, and records an audit event for each change it makes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.services import changed_values, record
from tracker.calendar.services import WorkingCalendar, check_date_in_range, load_calendar
from tracker.clock import local_date
from tracker.errors import (
    ConflictError,
    IncompleteTaskError,
    NotFound,
    TransitionError,
    ValidationError,
)
from tracker.extensions import db
from tracker.org.models import Field, Unit, User
from tracker.tasks import notices
from tracker.tasks.clarity import missing_clarity
from tracker.tasks.closures import count_closure
from tracker.tasks.evidence import Upload, store_evidence
from tracker.tasks.models import (
    OPEN_STATES,
    Coordination,
    DeadlineReason,
    ExtensionRequest,
    ExtensionStatus,
    Milestone,
    Priority,
    ProcessStep,
    ProgressUpdate,
    Review,
    SourceDocument,
    Task,
    TaskDeadline,
    TaskGroup,
    TaskState,
)
from tracker.tasks.permissions import (
    Action,
    extension_allows,
    require,
    require_can_create,
    state_allows,
)
from tracker.text import N_, fold, nfc

logger = logging.getLogger(__name__)

TITLE_MAX = 500
TEXT_MAX = 20_000
# About four years of working days: longer work is split into tasks with their own deadlines.
MAX_WORKING_DAYS = 1_000


@dataclass
class CoordinationInput:
    unit_id: int
    responsibility: str = ""


@dataclass
class MilestoneInput:
    title: str
    due_date: date


@dataclass
class TaskInput:
    """Everything a person or a system can say about a task when drafting or editing it."""

    title: str = ""
    description: str = ""
    document_id: int | None = None
    field_id: int | None = None
    lead_unit_id: int | None = None
    accountable_user_id: int | None = None
    assignee_user_id: int | None = None
    supervisor_id: int | None = None
    start_date: date | None = None
    due_date: date | None = None
    due_in_working_days: int | None = None
    expected_outcome: str = ""
    target: str = ""
    priority: Priority = Priority.NORMAL
    coordinating: list[CoordinationInput] = field(default_factory=list)
    milestones: list[MilestoneInput] = field(default_factory=list)
    process_steps: list[str] = field(default_factory=list)


def task_input_from(task: Task) -> TaskInput:
    """Return the task's current content as input, the starting point of an edit."""
    return TaskInput(
        title=task.title,
        description=task.description,
        document_id=task.document_id,
        field_id=task.field_id,
        lead_unit_id=task.lead_unit_id,
        accountable_user_id=task.accountable_user_id,
        assignee_user_id=task.assignee_user_id,
        supervisor_id=task.supervisor_id,
        start_date=task.start_date,
        due_date=task.due_date,
        due_in_working_days=task.due_in_working_days,
        expected_outcome=task.expected_outcome,
        target=task.target,
        priority=task.priority,
        coordinating=[CoordinationInput(c.unit_id, c.responsibility) for c in task.coordinations],
        milestones=[MilestoneInput(m.title, m.due_date) for m in task.milestones],
        process_steps=[s.description for s in task.process_steps],
    )


def task_snapshot(task: Task) -> dict:
    """Return the task's content as plain values, for the audit trail."""
    return {
        "title": task.title,
        "description": task.description,
        "document_id": task.document_id,
        "field_id": task.field_id,
        "lead_unit_id": task.lead_unit_id,
        "accountable_user_id": task.accountable_user_id,
        "assignee_user_id": task.assignee_user_id,
        "supervisor_id": task.supervisor_id,
        "start_date": task.start_date,
        "due_date": task.due_date,
        "due_in_working_days": task.due_in_working_days,
        "expected_outcome": task.expected_outcome,
        "target": task.target,
        "priority": task.priority,
        "coordinating": [[c.unit_id, c.responsibility] for c in task.coordinations],
        "milestones": [[m.title, m.due_date] for m in task.milestones],
        "process_steps": [s.description for s in task.process_steps],
    }


def _touch(task: Task, now: datetime) -> None:
    """Mark the task's row changed so its version moves on, even when only its lists changed."""
    task.updated_at = now
    flag_modified(task, "updated_at")


def _claim(task: Task, now: datetime) -> None:
    """Write the task's row first, before any of its parts, so that two people acting on
    one task at once queue on that row (the later one then finds the version moved on:
    a conflict) instead of each locking a part the other needs next (a deadlock)."""
    _touch(task, now)
    _flush()


def _flush() -> None:
    """Flush, turning a lost race on the task's version into a conflict error."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise ConflictError(
            _("Nhiệm vụ vừa được người khác thay đổi. Hãy tải lại trang và thực hiện lại.")
        ) from exc


# ---------------------------------------------------------------- input checks


def checked_text(value: str | None, name: str, limit: int = TEXT_MAX) -> str:
    """Return the text in NFC without surrounding spaces; refuse it when it is too long."""
    text = nfc(value).strip()
    if len(text) > limit:
        raise ValidationError(
            _("Trường “%(name)s” dài quá %(limit)s ký tự.", name=name, limit=limit),
            fields={name: _("tối đa %(limit)s ký tự", limit=limit)},
        )
    return text


def _exists(model: type, object_id: int | None, name: str, label: str) -> None:
    if object_id is not None and db.session.get(model, object_id) is None:
        raise ValidationError(
            _("%(label)s không tồn tại.", label=_(label)), fields={name: _("không tồn tại")}
        )


def _check_references(data: TaskInput) -> None:
    _exists(SourceDocument, data.document_id, "document_id", N_("Văn bản chỉ đạo"))
    _exists(Field, data.field_id, "field_id", N_("Lĩnh vực"))
    _exists(Unit, data.lead_unit_id, "lead_unit_id", N_("Đơn vị chủ trì"))
    _exists(User, data.accountable_user_id, "accountable_user_id", N_("Người chịu trách nhiệm"))
    _exists(User, data.assignee_user_id, "assignee_user_id", N_("Người thực hiện"))
    _exists(User, data.supervisor_id, "supervisor_id", N_("Lãnh đạo phụ trách"))
    seen: set[int] = set()
    for item in data.coordinating:
        _exists(Unit, item.unit_id, "coordinating", N_("Đơn vị phối hợp"))
        if item.unit_id in seen:
            raise ValidationError(
                _("Một đơn vị phối hợp được chọn hai lần."),
                fields={"coordinating": _("trùng đơn vị")},
            )
        seen.add(item.unit_id)


def _check_dates(data: TaskInput, today: date) -> None:
    check_date_in_range(data.start_date, "start_date", today)
    check_date_in_range(data.due_date, "due_date", today)
    for milestone in data.milestones:
        check_date_in_range(milestone.due_date, "milestones", today)
    if data.due_in_working_days is not None and data.due_in_working_days > MAX_WORKING_DAYS:
        raise ValidationError(
            _("Số ngày làm việc tối đa là %(n)s.", n=MAX_WORKING_DAYS),
            fields={"due_in_working_days": f"≤ {MAX_WORKING_DAYS}"},
        )


def _resolve_due_date(data: TaskInput, calendar: WorkingCalendar) -> date | None:
    """Return the due date: N working days from the start, or the given date moved off a
    day off to the next working day (Bộ luật Dân sự, điều 148)."""
    if data.due_in_working_days is not None:
        if data.due_in_working_days < 1:
            raise ValidationError(
                _("Số ngày làm việc phải lớn hơn 0."),
                fields={"due_in_working_days": _("phải > 0")},
            )
        if data.start_date is None:
            raise ValidationError(
                _("Cần ngày bắt đầu để tính hạn theo số ngày làm việc."),
                fields={"start_date": _("cần ngày bắt đầu")},
            )
        computed = calendar.add_working_days(data.start_date, data.due_in_working_days)
        if data.due_date is not None and calendar.next_working_day(data.due_date) != computed:
            raise ValidationError(
                _("Hạn hoàn thành và số ngày làm việc không khớp nhau; chỉ nhập một trong hai."),
                fields={"due_date": _("không khớp với số ngày làm việc")},
            )
        return computed
    if data.due_date is None:
        return None
    return calendar.next_working_day(data.due_date)


# ---------------------------------------------------------------- drafting


def _apply(task: Task, data: TaskInput, calendar: WorkingCalendar, today: date) -> None:
    """Copy the input onto the task, checking references, lengths and the due date."""
    # One INSERT or UPDATE at the end, not one per lookup on the way.
    with db.session.no_autoflush:
        _check_dates(data, today)
        _check_references(data)
        task.title = checked_text(data.title, "title", TITLE_MAX)
        task.description = checked_text(data.description, "description")
        task.search_text = fold(f"{task.title} {task.description}")
        task.document_id = data.document_id
        task.field_id = data.field_id
        task.lead_unit_id = data.lead_unit_id
        task.accountable_user_id = data.accountable_user_id
        task.assignee_user_id = data.assignee_user_id
        task.supervisor_id = data.supervisor_id
        task.start_date = data.start_date
        task.due_in_working_days = data.due_in_working_days
        new_due = _resolve_due_date(data, calendar)
        if task.state != TaskState.DRAFT and new_due != task.due_date:
            raise ValidationError(
                _("Hạn hoàn thành của nhiệm vụ đã giao chỉ thay đổi qua đề nghị gia hạn."),
                fields={"due_date": _("dùng đề nghị gia hạn")},
            )
        task.due_date = new_due
        if task.parent is not None:
            _check_subtask(task, task.parent, data.lead_unit_id)
        task.expected_outcome = checked_text(data.expected_outcome, "expected_outcome")
        task.target = checked_text(data.target, "target")
        task.priority = Priority(data.priority)
        _apply_coordinations(task, data.coordinating)
        _apply_milestones(task, data.milestones, calendar)
        _apply_steps(task, data.process_steps)
    # Unit, user and role objects are read by the gate; load them through the new ids.
    _flush()
    db.session.expire(task, ["lead_unit", "accountable_user", "assignee_user", "supervisor"])


def _check_subtask(task: Task, parent: Task, lead_unit_id: int | None) -> None:
    """A sub-task goes to a unit directly below the parent's lead unit (a division of a
    department, a commune of a district), and is due no later than its parent."""
    if lead_unit_id is not None:
        unit = db.session.get(Unit, lead_unit_id)
        if unit.parent_id != parent.lead_unit_id:
            raise ValidationError(
                _(
                    "Nhiệm vụ con chỉ giao cho đơn vị trực thuộc %(unit)s.",
                    unit=parent.lead_unit.name,
                ),
                fields={"lead_unit_id": _("không trực thuộc đơn vị chủ trì")},
            )
    if task.due_date and parent.due_date and task.due_date > parent.due_date:
        raise ValidationError(
            _(
                "Hạn của nhiệm vụ con không được sau hạn của nhiệm vụ cha (%(date)s).",
                date=f"{parent.due_date:%d/%m/%Y}",
            ),
            fields={"due_date": _("sau hạn của nhiệm vụ cha")},
        )


def _apply_coordinations(task: Task, items: list[CoordinationInput]) -> None:
    # Update rows in place by unit: re-inserting would collide on (task, unit).
    wanted = {item.unit_id: checked_text(item.responsibility, "coordinating") for item in items}
    for row in list(task.coordinations):
        if row.unit_id in wanted:
            row.responsibility = wanted.pop(row.unit_id)
        else:
            task.coordinations.remove(row)
    for unit_id, responsibility in wanted.items():
        task.coordinations.append(Coordination(unit_id=unit_id, responsibility=responsibility))


def _apply_milestones(task: Task, items: list[MilestoneInput], calendar: WorkingCalendar) -> None:
    # Milestone dates follow the same rule as due dates: never on a day off.
    items = [
        MilestoneInput(m.title, calendar.next_working_day(m.due_date))
        for m in items
        if m.due_date is not None
    ]
    items = sorted(items, key=lambda m: m.due_date)
    for index, item in enumerate(items):
        title = checked_text(item.title, "milestones", TITLE_MAX)
        if not title:
            raise ValidationError(
                _("Mốc tiến độ cần có tên."), fields={"milestones": _("thiếu tên")}
            )
        if index < len(task.milestones):
            task.milestones[index].title, task.milestones[index].due_date = title, item.due_date
        else:
            task.milestones.append(Milestone(title=title, due_date=item.due_date))
    del task.milestones[len(items) :]


def _apply_steps(task: Task, steps: list[str]) -> None:
    # Positions are unique per task: reuse rows in order rather than re-insert them.
    texts = [text for text in (checked_text(s, "process_steps") for s in steps) if text]
    for position, text in enumerate(texts, start=1):
        if position <= len(task.process_steps):
            task.process_steps[position - 1].description = text
        else:
            task.process_steps.append(ProcessStep(position=position, description=text))
    del task.process_steps[len(texts) :]


def create_draft(data: TaskInput, *, actor: User, now: datetime) -> Task:
    """Create a task as a draft; a draft may still be unclear on some "rõ"."""
    require_can_create(actor)
    task = Task(state=TaskState.DRAFT, created_by_id=actor.id, created_at=now, updated_at=now)
    db.session.add(task)
    _apply(task, data, load_calendar(), local_date(now))
    _flush()
    record("task.created", task, actor=actor, now=now, after=task_snapshot(task))
    logger.info("Task %s drafted by %s", task.id, actor.username)
    return task


MAX_WEIGHT = 100


def create_subtask(
    parent: Task, data: TaskInput, *, weight: int = 1, actor: User, now: datetime
) -> Task:
    """Draft a sub-task of an accepted task for a unit below its lead unit; the head of
    the lead unit then issues, follows and reviews it as its assigner."""
    _check(parent, Action.SPLIT, actor)
    if not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
        raise ValidationError(
            _("Tỷ trọng từ 1 đến %(n)s.", n=MAX_WEIGHT), fields={"weight": f"1–{MAX_WEIGHT}"}
        )
    task = Task(
        state=TaskState.DRAFT,
        parent=parent,
        weight=weight,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(task)
    _apply(task, data, load_calendar(), local_date(now))
    _flush()
    record(
        "task.created",
        task,
        actor=actor,
        now=now,
        after={**task_snapshot(task), "parent_id": parent.id, "weight": weight},
    )
    record(
        "task.subtask_created",
        parent,
        actor=actor,
        now=now,
        after={"subtask_id": task.id, "lead_unit_id": task.lead_unit_id, "due_date": task.due_date},
    )
    logger.info("Sub-task %s of task %s drafted by %s", task.id, parent.id, actor.username)
    return task


def _refuse_if_subtasks_open(task: Task) -> None:
    open_ones = [t for t in task.subtasks if t.state in OPEN_STATES]
    if open_ones:
        raise TransitionError(
            _(
                "Còn %(n)s nhiệm vụ con chưa hoàn thành; hoàn thành hoặc thu hồi (nêu lý do) "
                "trước khi báo cáo kết quả.",
                n=len(open_ones),
            )
        )


def update_task(
    task: Task, data: TaskInput, *, expected_version: int, actor: User, now: datetime
) -> Task:
    """Edit a task read at ``expected_version``; a stale version is refused, nothing saved."""
    require(actor, Action.EDIT, task)
    _require_state(task, Action.EDIT)
    if expected_version != task.version:
        raise ConflictError(
            _(
                "Nhiệm vụ đã được người khác thay đổi sau khi bạn mở. "
                "Hãy tải lại để xem bản mới nhất; nội dung bạn nhập chưa được lưu."
            )
        )
    before = task_snapshot(task)
    _apply(task, data, load_calendar(), local_date(now))
    if task.state != TaskState.DRAFT:
        # An issued task stays clear on every "rõ" through any edit.
        _refuse_if_unclear(task, today=None)
    _touch(task, now)
    _flush()
    old, new = changed_values(before, task_snapshot(task))
    record("task.updated", task, actor=actor, now=now, before=old, after=new)
    logger.info("Task %s edited by %s", task.id, actor.username)
    return task


# ---------------------------------------------------------------- transitions

_STATE_LABELS = {
    TaskState.DRAFT: N_("dự thảo"),
    TaskState.ISSUED: N_("đã giao"),
    TaskState.ACCEPTED: N_("đã tiếp nhận"),
    TaskState.IN_PROGRESS: N_("đang thực hiện"),
    TaskState.SUBMITTED: N_("đã báo cáo kết quả"),
    TaskState.COMPLETED: N_("đã hoàn thành"),
    TaskState.WITHDRAWN: N_("đã thu hồi"),
}


def _require_state(task: Task, action: Action) -> None:
    if not state_allows(action, task):
        raise TransitionError(
            _(
                "Không thể thực hiện thao tác này khi nhiệm vụ ở trạng thái “%(state)s”.",
                state=_(_STATE_LABELS[task.state]),
            )
        )


def _check(task: Task, action: Action, actor: User) -> None:
    require(actor, action, task)
    _require_state(task, action)


def _refuse_if_unclear(task: Task, today: date | None) -> None:
    missing = missing_clarity(task, today)
    if missing:
        raise IncompleteTaskError(
            _(
                "Chưa thể giao nhiệm vụ vì chưa đủ “5 rõ”: %(problems)s",
                problems=" ".join(missing.values()),
            ),
            missing,
        )


def _transition(
    task: Task, new_state: TaskState, action: str, *, actor: User, now: datetime, **details
) -> None:
    old_state = task.state
    task.state = new_state
    _touch(task, now)
    _flush()
    record(
        action,
        task,
        actor=actor,
        now=now,
        before={"state": old_state},
        after={"state": new_state, **details},
    )
    logger.info("Task %s %s by %s", task.id, action, actor.username)


def issue_task(task: Task, *, actor: User, now: datetime) -> Task:
    """Issue a draft to its lead unit, refused unless it is clear on every "rõ"."""
    _check(task, Action.ISSUE, actor)
    _refuse_if_unclear(task, today=local_date(now))
    task.issued_at, task.issued_by_id, task.issued_on = now, actor.id, local_date(now)
    task.original_due_date, task.due_date_since = task.due_date, now
    task.deadlines.append(
        TaskDeadline(due_date=task.due_date, effective_at=now, reason=DeadlineReason.ISSUED)
    )
    _transition(task, TaskState.ISSUED, "task.issued", actor=actor, now=now, due_date=task.due_date)
    notices.task_issued(task, actor=actor, now=now)
    return task


def _check_assignee(task: Task, assignee_id: int | None) -> User | None:
    if assignee_id is None:
        return None
    assignee = db.session.get(User, assignee_id)
    if assignee is None or assignee.unit_id != task.lead_unit_id or not assignee.active:
        raise ValidationError(
            _("Người thực hiện phải là cán bộ đang làm việc tại đơn vị chủ trì."),
            fields={"assignee_user_id": _("không thuộc đơn vị chủ trì")},
        )
    if not assignee.may_carry_tasks:
        raise ValidationError(
            _(
                "%(name)s không phải lãnh đạo hay chuyên viên của đơn vị nên không thể thực "
                "hiện nhiệm vụ.",
                name=assignee.full_name,
            ),
            fields={"assignee_user_id": _("không thể thực hiện nhiệm vụ")},
        )
    return assignee


def accept_task(task: Task, *, actor: User, now: datetime, assignee_id: int | None = None) -> Task:
    """Accept an issued task for the lead unit, optionally naming who carries it."""
    _check(task, Action.ACCEPT, actor)
    if _check_assignee(task, assignee_id) is not None:
        task.assignee_user_id = assignee_id
    task.accepted_at = now
    _transition(
        task,
        TaskState.ACCEPTED,
        "task.accepted",
        actor=actor,
        now=now,
        assignee_user_id=task.assignee_user_id,
    )
    notices.task_accepted(task, actor=actor, now=now)
    return task


def assign_task(task: Task, *, assignee_id: int, actor: User, now: datetime) -> Task:
    """Name the official of the lead unit who carries the task."""
    _check(task, Action.ASSIGN, actor)
    _check_assignee(task, assignee_id)
    before = task.assignee_user_id
    task.assignee_user_id = assignee_id
    _touch(task, now)
    _flush()
    record(
        "task.assigned",
        task,
        actor=actor,
        now=now,
        before={"assignee_user_id": before},
        after={"assignee_user_id": assignee_id},
    )
    return task


def answers_notices(task: Task, percent: int, evidence: Sequence[Upload]) -> bool:
    """Tell whether a progress report answers the warnings and urgings sent before it: it
    must move the work on (a higher percentage) or bring evidence. The same words again, or
    a ".", keep the notices unanswered, and they still count towards an escalation."""
    return percent > task.progress_percent or bool(evidence)


def report_progress(
    task: Task,
    *,
    actor: User,
    now: datetime,
    percent: int,
    narrative: str,
    difficulties: str = "",
    proposals: str = "",
    evidence: list[Upload] | None = None,
) -> ProgressUpdate:
    """Record a progress report with its evidence; the first one starts the work."""
    _check(task, Action.REPORT_PROGRESS, actor)
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise ValidationError(
            _("Tỷ lệ hoàn thành phải từ 0 đến 100%."), fields={"percent": "0–100"}
        )
    narrative = checked_text(narrative, "narrative")
    if not narrative:
        raise ValidationError(
            _("Hãy mô tả tiến độ đã đạt được."), fields={"narrative": _("bắt buộc")}
        )
    update = ProgressUpdate(
        task=task,
        author_id=actor.id,
        created_at=now,
        percent=percent,
        narrative=narrative,
        difficulties=checked_text(difficulties, "difficulties"),
        proposals=checked_text(proposals, "proposals"),
    )
    db.session.add(update)
    answered = answers_notices(task, percent, evidence or [])
    task.progress_percent = percent
    task.last_progress_at = now
    if answered:
        task.last_answered_at = now
    _flush()
    files = store_evidence(
        evidence or [], task_id=task.id, progress_update_id=update.id, user_id=actor.id, now=now
    )
    details = {
        "percent": percent,
        "progress_update_id": update.id,
        "evidence": [f.original_name for f in files],
        "answers_notices": answered,
    }
    if task.state == TaskState.ACCEPTED:
        _transition(task, TaskState.IN_PROGRESS, "task.started", actor=actor, now=now)
    _touch(task, now)
    _flush()
    record("task.progress", task, actor=actor, now=now, after=details)
    return update


def complete_milestone(task: Task, milestone_id: int, *, actor: User, now: datetime) -> Milestone:
    """Mark a milestone of the roadmap reached; its reminders and warnings stop."""
    _check(task, Action.REPORT_PROGRESS, actor)
    milestone = next((m for m in task.milestones if m.id == milestone_id), None)
    if milestone is None:
        # Another task's milestone through this task's address: not found, as it would be
        # through its own task's address for whoever may not see that task.
        raise NotFound(_("Không tìm thấy mốc tiến độ này."))
    if milestone.completed_on is not None:
        raise TransitionError(_("Mốc tiến độ này đã được đánh dấu hoàn thành."))
    milestone.completed_on = local_date(now)
    _touch(task, now)
    _flush()
    record(
        "task.milestone_completed",
        task,
        actor=actor,
        now=now,
        after={
            "milestone": milestone.title,
            "due_date": milestone.due_date,
            "completed_on": milestone.completed_on,
        },
    )
    return milestone


def request_extension(
    task: Task,
    *,
    actor: User,
    now: datetime,
    new_due_date: date,
    reason: str,
    files: Sequence[Upload] = (),
) -> ExtensionRequest:
    """Ask the assigner to move the due date, with a reason (and papers, if any)."""
    _check(task, Action.REQUEST_EXTENSION, actor)
    if not extension_allows(Action.REQUEST_EXTENSION, task):
        raise TransitionError(
            _("Đã có một đề nghị gia hạn đang chờ quyết định; hãy chờ quyết định trước.")
        )
    reason = checked_text(reason, "reason")
    if not reason:
        raise ValidationError(_("Hãy nêu lý do đề nghị gia hạn."), fields={"reason": _("bắt buộc")})
    if new_due_date is None or new_due_date <= task.due_date:
        raise ValidationError(
            _("Hạn mới phải sau hạn hiện tại (%(date)s).", date=f"{task.due_date:%d/%m/%Y}"),
            fields={"new_due_date": _("phải sau hạn hiện tại")},
        )
    check_date_in_range(new_due_date, "new_due_date", local_date(now))
    request = ExtensionRequest(
        task=task,
        requested_by_id=actor.id,
        requested_at=now,
        current_due_date=task.due_date,
        new_due_date=new_due_date,
        reason=reason,
    )
    db.session.add(request)
    _touch(task, now)
    _flush()
    stored = store_evidence(
        files, task_id=task.id, user_id=actor.id, now=now, extension_request_id=request.id
    )
    record(
        "task.extension_requested",
        task,
        actor=actor,
        now=now,
        after={
            "extension_request_id": request.id,
            "current_due_date": task.due_date,
            "new_due_date": new_due_date,
            "reason": reason,
            "files": [f.original_name for f in stored],
        },
    )
    notices.extension_requested(
        task, request, deciders=[notices.issuer(task)], actor=actor, now=now
    )
    return request


def decide_extension(
    request: ExtensionRequest, *, actor: User, now: datetime, approve: bool, note: str = ""
) -> ExtensionRequest:
    """Approve (the due date moves, the old one stays on record) or reject a request."""
    task = request.task
    _check(task, Action.DECIDE_EXTENSION, actor)
    # The task's row first (the request's would otherwise be written before it when
    # approving, the calendar's query flushing it, and after it when refusing). Once the
    # row is ours no other decision is under way, so the request is read again: it may have
    # been loaded before another decision was committed, and the task after it.
    _claim(task, now)
    db.session.refresh(request)
    if request.status != ExtensionStatus.PENDING:
        raise TransitionError(_("Đề nghị gia hạn này đã được quyết định."))
    note = checked_text(note, "note")
    if not approve and not note:
        raise ValidationError(
            _("Hãy nêu lý do không đồng ý gia hạn."), fields={"note": _("bắt buộc")}
        )
    old_due = task.due_date
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, now, note
    if approve:
        task.due_date = load_calendar().next_working_day(request.new_due_date)
        task.last_answered_at = now  # the deadline the notices were about has moved
        if request.late_request:
            task.late_extension = True  # the new date does not erase the lateness
        task.due_date_since = now
        task.deadlines.append(
            TaskDeadline(
                due_date=task.due_date,
                effective_at=now,
                reason=DeadlineReason.EXTENSION,
                extension_request_id=request.id,
            )
        )
    _touch(task, now)
    _flush()
    record(
        "task.extension_decided",
        task,
        actor=actor,
        now=now,
        before={"due_date": old_due},
        after={
            "extension_request_id": request.id,
            "approved": approve,
            "due_date": task.due_date,
            "note": note,
        },
    )
    notices.extension_decided(task, request, actor=actor, now=now)
    return request


def submit_result(
    task: Task, *, actor: User, now: datetime, result: str, files: Sequence[Upload] = ()
) -> Task:
    """Report the task's result to the assigner for review (with its papers, if any)."""
    _check(task, Action.SUBMIT, actor)
    _refuse_if_subtasks_open(task)
    result = checked_text(result, "result")
    if not result:
        raise ValidationError(_("Hãy mô tả kết quả đạt được."), fields={"result": _("bắt buộc")})
    task.result_summary = result
    task.submitted_on, task.returned = local_date(now), False
    task.last_answered_at = now  # a result answers every notice before it
    review = Review(task=task, submitted_by_id=actor.id, submitted_at=now, result=result)
    db.session.add(review)
    _flush()
    stored = store_evidence(files, task_id=task.id, user_id=actor.id, now=now, review_id=review.id)
    _transition(
        task,
        TaskState.SUBMITTED,
        "task.submitted",
        actor=actor,
        now=now,
        result=result,
        submitted_on=task.submitted_on,
        files=[f.original_name for f in stored],
    )
    notices.result_submitted(task, actor=actor, now=now, review_id=review.id)
    return task


def review_result(task: Task, *, actor: User, now: datetime, accept: bool, note: str = "") -> Task:
    """Accept the submitted result (the task is completed) or return it for more work."""
    _check(task, Action.REVIEW, actor)
    note = checked_text(note, "note")
    if not accept and not note:
        raise ValidationError(
            _("Hãy ghi rõ lý do trả lại và yêu cầu bổ sung."), fields={"note": _("bắt buộc")}
        )
    review = task.reviews[-1]
    review.reviewer_id, review.reviewed_at, review.accepted, review.note = (
        actor.id,
        now,
        accept,
        note,
    )
    if accept:
        # Judged by the day the result was reported, not by how long the review took.
        task.completed_on, task.completed_at = task.submitted_on, now
        task.progress_percent = 100
        _close_pending_extensions(task, actor, now, "Nhiệm vụ đã hoàn thành.")
        _transition(
            task,
            TaskState.COMPLETED,
            "task.completed",
            actor=actor,
            now=now,
            note=note,
            completed_on=task.completed_on,
        )
        count_closure(task)
    else:
        task.submitted_on, task.returned = None, True
        _transition(task, TaskState.IN_PROGRESS, "task.returned", actor=actor, now=now, note=note)
    notices.result_reviewed(
        task, actor=actor, now=now, accepted=accept, note=note, review_id=review.id
    )
    return task


def withdraw_task(task: Task, *, actor: User, now: datetime, reason: str) -> Task:
    """Withdraw an issued task (thu hồi), with the reason on record."""
    _check(task, Action.WITHDRAW, actor)
    reason = checked_text(reason, "reason")
    if not reason:
        raise ValidationError(
            _("Hãy nêu lý do thu hồi nhiệm vụ."), fields={"reason": _("bắt buộc")}
        )
    task.withdrawn_at, task.withdrawn_on = now, local_date(now)
    task.withdrawal_reason = reason
    _close_pending_extensions(task, actor, now, "Nhiệm vụ đã bị thu hồi.")
    _transition(task, TaskState.WITHDRAWN, "task.withdrawn", actor=actor, now=now, reason=reason)
    count_closure(task)
    notices.task_withdrawn(task, actor=actor, now=now, reason=reason)
    return task


def _close_pending_extensions(task: Task, actor: User, now: datetime, note: str) -> None:
    for request in task.extension_requests:
        if request.status == ExtensionStatus.PENDING:
            request.status = ExtensionStatus.REJECTED
            request.decided_by_id, request.decided_at, request.decision_note = actor.id, now, note


def deadline_history(task: Task) -> list[TaskDeadline]:
    """Return every due date the task has had, oldest first."""
    query = (
        sa.select(TaskDeadline)
        .where(TaskDeadline.task_id == task.id)
        .order_by(TaskDeadline.effective_at, TaskDeadline.id)
    )
    return list(db.session.scalars(query))


def _for_unit(data: TaskInput, unit: Unit) -> TaskInput:
    """The shared content, led by one unit and owned by its head."""
    if unit.head_id is None:
        raise ValidationError(
            _("%(unit)s chưa có thủ trưởng để chịu trách nhiệm chính.", unit=unit.name),
            fields={"unit_ids": unit.name},
        )
    return TaskInput(
        **{
            **data.__dict__,
            "lead_unit_id": unit.id,
            "accountable_user_id": unit.head_id,
            "assignee_user_id": None,
            "coordinating": [c for c in data.coordinating if c.unit_id != unit.id],
        }
    )


# ---------------------------------------------------------------- one issue to many units

MAX_GROUP_UNITS = 1_000


def issue_to_units(
    data: TaskInput,
    unit_ids: list[int],
    *,
    actor: User,
    now: datetime,
    parent: Task | None = None,
) -> TaskGroup:
    """Issue the same task to each unit: one task per unit, each owned by the unit's head,
    grouped so the issuer follows them together. Under ``parent`` each is a sub-task of it.

    All or nothing: if one unit's task cannot be issued, none is, and the refusal names it.
    """
    # Who may, before what: a refusal of the input must not answer someone not allowed.
    if parent is None:
        require_can_create(actor)
    else:
        _check(parent, Action.SPLIT, actor)
    unit_ids = list(dict.fromkeys(unit_ids))
    if not 2 <= len(unit_ids) <= MAX_GROUP_UNITS:
        raise ValidationError(
            _("Hãy chọn từ 2 đến %(n)s đơn vị.", n=MAX_GROUP_UNITS),
            fields={"unit_ids": _("chọn ít nhất 2 đơn vị")},
        )
    units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(unit_ids))))
    if len(units) != len(unit_ids):
        raise ValidationError(
            _("Có đơn vị không tồn tại."), fields={"unit_ids": _("không tồn tại")}
        )
    group = TaskGroup(
        title=checked_text(data.title, "title", TITLE_MAX), created_by_id=actor.id, created_at=now
    )
    db.session.add(group)
    db.session.flush()
    for unit in sorted(units, key=lambda u: u.name):
        try:
            one = _for_unit(data, unit)
            if parent is None:
                task = create_draft(one, actor=actor, now=now)
            else:
                task = create_subtask(parent, one, actor=actor, now=now)
            task.group_id = group.id
            issue_task(task, actor=actor, now=now)
        except ValidationError as error:
            raise ValidationError(
                _("Chưa giao được cho %(unit)s: %(reason)s", unit=unit.name, reason=error.message),
                fields={"unit_ids": unit.name, **error.fields},
            ) from error
    record(
        "task_group.issued",
        group,
        actor=actor,
        now=now,
        after={
            "title": group.title,
            "unit_ids": sorted(unit_ids),
            "parent_id": getattr(parent, "id", None),
        },
    )
    logger.info("Task group %s issued to %s units by %s", group.id, len(units), actor.username)
    return group
