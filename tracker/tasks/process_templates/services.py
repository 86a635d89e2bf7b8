"""Process templates: the city's standard procedures, kept by the office and the admins.

Choosing a template fills a task's "rõ quy trình" with its steps and proposes milestone
dates counted in working days from the start date, so Tết and weekends are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.audit.services import record
from tracker.calendar.services import WorkingCalendar, check_date_in_range
from tracker.errors import NotFound, PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.org.models import Role, User
from tracker.tasks.models import ProcessTemplate, TemplateStep
from tracker.tasks.services import TEXT_MAX, MilestoneInput
from tracker.text import N_, nfc

NAME_MAX = 200
MAX_STEPS = 50
MAX_STEP_DAYS = 250
# Who a step falls to, in the words of a task's process.
RESPONSIBLE_LABELS = {
    Role.STAFF: N_("Chuyên viên thực hiện"),
    Role.UNIT_HEAD: N_("Thủ trưởng đơn vị chủ trì"),
    Role.ASSIGNER: N_("Văn phòng UBND"),
    Role.LEADER: N_("Lãnh đạo UBND phụ trách"),
}


@dataclass
class StepInput:
    description: str
    working_days: int
    responsible: str = Role.STAFF.value
    milestone: bool = False


@dataclass
class Plan:
    """What a template proposes for a task starting on a given day."""

    process_steps: list[str]
    milestones: list[MilestoneInput]
    due_date: date


def may_keep_templates(user: User) -> bool:
    """Tell whether the user keeps the templates (the office and the admins)."""
    return user.is_active and user.has_role(Role.ASSIGNER, Role.ADMIN)


def require_keeper(user: User) -> None:
    """Raise PermissionDenied unless the user keeps the templates."""
    if not may_keep_templates(user):
        raise PermissionDenied(_("Chỉ Văn phòng và quản trị hệ thống quản lý quy trình mẫu."))


def active_templates() -> list[ProcessTemplate]:
    query = sa.select(ProcessTemplate).where(ProcessTemplate.active).order_by(ProcessTemplate.name)
    return list(db.session.scalars(query))


def all_templates() -> list[ProcessTemplate]:
    return list(db.session.scalars(sa.select(ProcessTemplate).order_by(ProcessTemplate.name)))


def get_template(template_id: int) -> ProcessTemplate:
    template = db.session.get(ProcessTemplate, template_id)
    if template is None:
        raise NotFound(_("Không tìm thấy quy trình mẫu."))
    return template


def _clean_steps(steps: list[StepInput]) -> list[StepInput]:
    cleaned = []
    for number, step in enumerate(steps, start=1):
        text = nfc(step.description).strip()
        if not text:
            continue
        if len(text) > TEXT_MAX:
            raise ValidationError(
                _("Bước %(n)s dài quá %(limit)s ký tự.", n=number, limit=TEXT_MAX),
                fields={"steps": _("quá dài")},
            )
        if not isinstance(step.working_days, int) or not 1 <= step.working_days <= MAX_STEP_DAYS:
            raise ValidationError(
                _("Bước %(n)s: số ngày làm việc từ 1 đến %(max)s.", n=number, max=MAX_STEP_DAYS),
                fields={"steps": _("số ngày không hợp lệ")},
            )
        try:
            responsible = Role(step.responsible)
        except ValueError:
            responsible = None
        if responsible not in RESPONSIBLE_LABELS:
            raise ValidationError(
                _("Bước %(n)s: chưa chọn người thực hiện bước.", n=number),
                fields={"steps": _("chưa chọn người thực hiện")},
            )
        cleaned.append(StepInput(text, step.working_days, responsible, bool(step.milestone)))
    if len(cleaned) < 2 or len(cleaned) > MAX_STEPS:
        raise ValidationError(
            _("Quy trình mẫu cần từ 2 đến %(max)s bước.", max=MAX_STEPS),
            fields={"steps": _("2–%(max)s bước", max=MAX_STEPS)},
        )
    return cleaned


def _snapshot(template: ProcessTemplate) -> dict:
    return {
        "name": template.name,
        "description": template.description,
        "active": template.active,
        "steps": [
            [s.description, s.working_days, s.responsible, s.milestone] for s in template.steps
        ],
    }


def save_template(
    template: ProcessTemplate | None,
    *,
    name: str,
    description: str,
    steps: list[StepInput],
    active: bool = True,
    actor: User,
    now: datetime,
) -> ProcessTemplate:
    """Create a template, or replace an existing one's name, steps and state."""
    require_keeper(actor)
    name = nfc(name).strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationError(
            _("Hãy đặt tên quy trình mẫu (tối đa %(n)s ký tự).", n=NAME_MAX),
            fields={"name": _("bắt buộc")},
        )
    clash = db.session.scalar(
        sa.select(ProcessTemplate.id).where(
            ProcessTemplate.name == name,
            ProcessTemplate.id != (template.id if template else None),
        )
    )
    if clash is not None:
        raise ValidationError(
            _("Đã có quy trình mẫu tên “%(name)s”.", name=name), fields={"name": _("trùng tên")}
        )
    cleaned = _clean_steps(steps)
    before = _snapshot(template) if template else None
    if template is None:
        template = ProcessTemplate(created_by_id=actor.id)
        db.session.add(template)
    template.name, template.description = name, nfc(description).strip()[:TEXT_MAX]
    template.active, template.updated_at = active, now
    with db.session.no_autoflush:
        for position, step in enumerate(cleaned, start=1):
            if position <= len(template.steps):
                row = template.steps[position - 1]
            else:
                row = TemplateStep(position=position)
                template.steps.append(row)
            row.description, row.working_days = step.description, step.working_days
            row.responsible, row.milestone = step.responsible, step.milestone
        del template.steps[len(cleaned) :]
    db.session.flush()
    record(
        "process_template.saved",
        template,
        actor=actor,
        now=now,
        before=before,
        after=_snapshot(template),
    )
    return template


def step_text(step: TemplateStep) -> str:
    """Return a step as a line of a task's process: what, who, how long."""
    return _(
        "%(step)s (%(who)s, %(days)s ngày làm việc)",
        step=step.description,
        who=_(RESPONSIBLE_LABELS[step.responsible]),
        days=step.working_days,
    )


def plan(template: ProcessTemplate, start: date, calendar: WorkingCalendar, today: date) -> Plan:
    """Return the steps, proposed milestones and due date of a task starting on ``start``.

    Each step ends the given number of working days after the previous one; the task is
    due when the last step ends.
    """
    check_date_in_range(start, "start_date", today)
    end, milestones = start, []
    for step in template.steps:
        end = calendar.add_working_days(end, step.working_days)
        if step.milestone:
            milestones.append(MilestoneInput(step.description[:500], end))
    check_date_in_range(end, "due_date", today)
    return Plan([step_text(s) for s in template.steps], milestones, end)
