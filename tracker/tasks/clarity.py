"""The "5 rõ" gate: what a task still lacks before it may be issued.

The city uses two wordings of the rule; the tracker enforces their union as six keys
(see DOMAIN.md). Each missing "rõ" comes with a Vietnamese message that says exactly
what is missing, so the person issuing the task knows what to fill in.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from tracker.org.models import Role
from tracker.tasks.models import Task
from tracker.text import N_

CLARITY_KEYS = ("task", "person", "timeline", "process", "outcome", "responsibility")

CLARITY_LABELS = {
    "task": N_("Rõ việc"),
    "person": N_("Rõ người"),
    "timeline": N_("Rõ tiến độ"),
    "process": N_("Rõ quy trình"),
    "outcome": N_("Rõ kết quả"),
    "responsibility": N_("Rõ trách nhiệm"),
}

# A process of one step is just the task restated; the city asks for the steps.
MIN_PROCESS_STEPS = 2
# Tasks longer than this need a roadmap of milestones (lộ trình).
LONG_TASK_DAYS = 90


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def _task_problems(task: Task) -> list[str]:
    problems = []
    if _blank(task.title):
        problems.append(_("chưa có tên nhiệm vụ"))
    if _blank(task.description):
        problems.append(_("chưa có nội dung cụ thể"))
    if task.document_id is None:
        problems.append(_("chưa có văn bản chỉ đạo làm căn cứ"))
    return problems


def _person_problems(task: Task) -> list[str]:
    problems = []
    if task.lead_unit_id is None:
        problems.append(_("chưa có đơn vị chủ trì"))
    accountable = task.accountable_user
    if accountable is None:
        problems.append(_("chưa có cá nhân chịu trách nhiệm chính (một việc – một đầu mối)"))
    elif task.lead_unit_id is not None and accountable.unit_id != task.lead_unit_id:
        problems.append(_("người chịu trách nhiệm chính không thuộc đơn vị chủ trì"))
    elif not accountable.active:
        problems.append(_("người chịu trách nhiệm chính đã bị khoá tài khoản"))
    elif not accountable.may_carry_tasks:
        problems.append(
            _(
                "%(name)s không phải lãnh đạo hay chuyên viên của đơn vị nên không thể chịu "
                "trách nhiệm chính",
                name=accountable.full_name,
            )
        )
    assignee = task.assignee_user
    if assignee is None:
        return problems
    if task.lead_unit_id is not None and assignee.unit_id != task.lead_unit_id:
        problems.append(_("người thực hiện không thuộc đơn vị chủ trì"))
    elif not assignee.active:
        problems.append(_("người thực hiện đã bị khoá tài khoản"))
    elif not assignee.may_carry_tasks:
        problems.append(
            _(
                "%(name)s không phải lãnh đạo hay chuyên viên của đơn vị nên không thể thực hiện "
                "nhiệm vụ",
                name=assignee.full_name,
            )
        )
    return problems


def _timeline_problems(task: Task, today: date | None) -> list[str]:
    problems = []
    if task.start_date is None:
        problems.append(_("chưa có ngày bắt đầu"))
    if task.due_date is None:
        problems.append(_("chưa có hạn hoàn thành"))
    if task.start_date and task.due_date:
        if task.due_date < task.start_date:
            problems.append(_("hạn hoàn thành trước ngày bắt đầu"))
        elif (task.due_date - task.start_date).days > LONG_TASK_DAYS and not task.milestones:
            problems.append(
                _(
                    "nhiệm vụ dài hơn %(days)s ngày cần có lộ trình (mốc tiến độ)",
                    days=LONG_TASK_DAYS,
                )
            )
    if today is not None and task.due_date is not None and task.due_date < today:
        problems.append(_("hạn hoàn thành đã qua"))
    for milestone in task.milestones:
        outside = (task.start_date and milestone.due_date < task.start_date) or (
            task.due_date and milestone.due_date > task.due_date
        )
        if outside:
            problems.append(
                _("mốc “%(title)s” nằm ngoài thời gian thực hiện", title=milestone.title)
            )
    return problems


def _process_problems(task: Task) -> list[str]:
    steps = [s for s in task.process_steps if not _blank(s.description)]
    if len(steps) < MIN_PROCESS_STEPS:
        return [_("cần ít nhất %(n)s bước thực hiện theo thứ tự", n=MIN_PROCESS_STEPS)]
    return []


def _outcome_problems(task: Task) -> list[str]:
    problems = []
    if _blank(task.expected_outcome):
        problems.append(_("chưa có sản phẩm đầu ra"))
    if _blank(task.target):
        problems.append(_("chưa có chỉ tiêu đo được hoặc tiêu chí nghiệm thu"))
    return problems


def _responsibility_problems(task: Task) -> list[str]:
    problems = []
    supervisor = task.supervisor
    if supervisor is None:
        problems.append(_("chưa có lãnh đạo phụ trách"))
    elif not supervisor.has_role(Role.LEADER):
        problems.append(_("lãnh đạo phụ trách phải là người có vai trò lãnh đạo"))
    for coordination in task.coordinations:
        if coordination.unit_id == task.lead_unit_id:
            problems.append(_("đơn vị chủ trì không thể đồng thời là đơn vị phối hợp"))
        elif _blank(coordination.responsibility):
            name = coordination.unit.name if coordination.unit else _("đơn vị phối hợp")
            problems.append(_("chưa ghi rõ trách nhiệm của %(unit)s", unit=name))
    return problems


def missing_clarity(task: Task, today: date | None = None) -> dict[str, str]:
    """Return each "rõ" the task is not clear on, with a message saying what is missing.

    ``today`` (the local date at issue time) adds the rule that the due date must not
    have passed; leave it out to judge a draft as it stands.
    """
    problems = {
        "task": _task_problems(task),
        "person": _person_problems(task),
        "timeline": _timeline_problems(task, today),
        "process": _process_problems(task),
        "outcome": _outcome_problems(task),
        "responsibility": _responsibility_problems(task),
    }
    return {
        key: _("%(label)s: %(problems)s.", label=_(CLARITY_LABELS[key]), problems="; ".join(found))
        for key, found in problems.items()
        if found
    }
