"""Escalation records: who may see them, and the inspector's conclusions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, selectinload

from tracker.audit.services import record
from tracker.calendar.services import WorkingCalendar
from tracker.clock import local_date, local_midnight
from tracker.errors import NotFound, PermissionDenied, TransitionError, ValidationError
from tracker.extensions import db
from tracker.org.models import CITY_WIDE_ROLES, OVERSIGHT_ROLES, Field, Role, User
from tracker.reminders.models import (
    ABOLISHED_FORMS,
    ND172_IN_FORCE,
    Conclusion,
    Decision,
    DisciplineForm,
    Escalation,
    EscalationStatus,
    Outcome,
    Reminder,
    Severity,
)
from tracker.tasks.models import OPEN_STATES, ProgressUpdate, Task
from tracker.text import N_

logger = logging.getLogger(__name__)

OUTCOME_LABELS = {
    Outcome.NO_FAULT: N_("Nguyên nhân khách quan, không có lỗi"),
    Outcome.REMINDER: N_("Nhắc nhở"),
    Outcome.CRITICISM: N_("Phê bình"),
    Outcome.DISCIPLINE: N_("Đề nghị xem xét kỷ luật"),
    Outcome.TRANSFER: N_("Đề nghị điều chuyển công tác"),
}


def visible_escalations_clause(user: User) -> sa.ColumnElement[bool]:
    """Return the SQL condition for the escalation records the user may see."""
    if not user.is_active:
        return sa.false()
    if user.has_role(*CITY_WIDE_ROLES):
        return sa.true()
    clauses = []
    if user.has_role(Role.LEADER):
        led = sa.select(Field.id).where(Field.leader_id == user.id)
        in_field = sa.select(Task.id).where(Task.field_id.in_(led))
        clauses += [Escalation.supervisor_id == user.id, Escalation.task_id.in_(in_field)]
    if user.has_role(Role.UNIT_HEAD):
        clauses.append(Escalation.lead_unit_id == user.unit_id)
    return sa.or_(*clauses) if clauses else sa.false()


def may_follow_escalations(user: User) -> bool:
    """Tell whether the user follows escalation records (not staff, not admins)."""
    return user.is_active and user.has_role(*OVERSIGHT_ROLES)


def require_queue_access(user: User) -> None:
    """Raise PermissionDenied unless the user follows escalations (not staff, not admins)."""
    if not may_follow_escalations(user):
        raise PermissionDenied(
            _("Danh sách hồ sơ dành cho Sở Nội vụ, Văn phòng, lãnh đạo và thủ trưởng đơn vị.")
        )


def may_conclude(user: User) -> bool:
    """Tell whether the user records conclusions (Sở Nội vụ's inspectors)."""
    return user.is_active and user.has_role(Role.INSPECTOR)


@dataclass
class EscalationFilters:
    unit_id: int | None = None
    field_id: int | None = None
    supervisor_id: int | None = None
    status: str | None = None  # open, concluded, or DECISION_OVERDUE
    opened_from: date | None = None
    opened_to: date | None = None
    # For DECISION_OVERDUE: the moment the list is read, and how long a decision may take.
    now: datetime | None = None
    decision_days: int = 90


# The records whose proposal waits for the competent authority's decision too long.
DECISION_OVERDUE = "decision_overdue"


def list_escalations(
    user: User, filters: EscalationFilters, *, page: int = 1, per_page: int = 30
) -> tuple[list[Escalation], int]:
    """Return one page of the escalation records the user may see, newest first."""
    query = sa.select(Escalation).where(visible_escalations_clause(user))
    if filters.unit_id:
        query = query.where(Escalation.lead_unit_id == filters.unit_id)
    if filters.supervisor_id:
        query = query.where(Escalation.supervisor_id == filters.supervisor_id)
    if filters.field_id:
        query = query.where(
            Escalation.task_id.in_(sa.select(Task.id).where(Task.field_id == filters.field_id))
        )
    if filters.status in {s.value for s in EscalationStatus}:
        query = query.where(Escalation.status == filters.status)
    if filters.status == DECISION_OVERDUE and filters.now is not None:
        query = query.where(decision_overdue_clause(filters.now, filters.decision_days))
    if filters.opened_from:
        query = query.where(Escalation.opened_on >= filters.opened_from)
    if filters.opened_to:
        query = query.where(Escalation.opened_on <= filters.opened_to)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Escalation.opened_at.desc(), Escalation.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
        .options(
            selectinload(Escalation.task).selectinload(Task.lead_unit),
            selectinload(Escalation.accountable_user),
            selectinload(Escalation.supervisor),
            selectinload(Escalation.conclusions),
            selectinload(Escalation.decision),
        )
    ).all()
    return list(rows), total


def late_days(rows: list[Escalation], calendar: WorkingCalendar, today: date) -> dict[int, int]:
    """How many working days each record's task is late: today for a task still open,
    at its completion for one done late; for a withdrawn task, as the record opened."""
    days = {}
    for escalation in rows:
        task = escalation.task
        if task.state in OPEN_STATES and task.due_date:
            days[escalation.id] = calendar.working_days_between(task.due_date, today)
        elif task.completed_on and task.due_date:
            days[escalation.id] = calendar.working_days_between(task.due_date, task.completed_on)
        else:
            days[escalation.id] = escalation.overdue_days
    return days


def get_escalation(escalation_id: int, user: User, *, to_conclude: bool = False) -> Escalation:
    """Load an escalation record the user may see, or raise NotFound; to conclude it, the
    user must be Sở Nội vụ's inspector.

    A role that follows no escalations is refused outright (403), as on the queue; a
    record outside those the user follows is not found (404).
    """
    require_queue_access(user)
    found = db.session.scalar(
        sa.select(Escalation).where(
            Escalation.id == escalation_id, visible_escalations_clause(user)
        )
    )
    if found is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    if to_conclude and not may_conclude(user):
        raise PermissionDenied(_("Chỉ Sở Nội vụ (thanh tra) được kết luận hồ sơ."))
    return found


def escalation_evidence(escalation: Escalation) -> tuple[list[Reminder], list[ProgressUpdate]]:
    """Return every notice sent about the task, and the progress reports since its deadline."""
    notices = db.session.scalars(
        sa.select(Reminder)
        .where(Reminder.task_id == escalation.task_id)
        .order_by(Reminder.created_at, Reminder.id)
        .options(selectinload(Reminder.milestone))
    ).all()
    updates = db.session.scalars(
        sa.select(ProgressUpdate)
        .where(ProgressUpdate.task_id == escalation.task_id)
        .order_by(ProgressUpdate.created_at)
    ).all()
    since = [u for u in updates if u.created_at.date() >= escalation.deadline]
    return list(notices), since


DISCIPLINE_FORM_LABELS = {
    DisciplineForm.REPRIMAND: N_("Khiển trách"),
    DisciplineForm.WARNING: N_("Cảnh cáo"),
    DisciplineForm.DISMISSAL: N_("Cách chức"),
    DisciplineForm.FORCED_RESIGNATION: N_("Buộc thôi việc"),
}
SEVERITY_LABELS = {
    Severity.LESS_SERIOUS: N_("Ít nghiêm trọng"),
    Severity.SERIOUS: N_("Nghiêm trọng"),
    Severity.VERY_SERIOUS: N_("Rất nghiêm trọng"),
}


@dataclass(frozen=True)
class DisciplineProposal:
    """What a proposal of discipline must name under NĐ 172/2025."""

    form: str | None = None
    severity: str | None = None
    competent_authority: str | None = None


def _holds_a_post(user: User | None) -> bool:
    """Whether the person holds a leadership or management post (who may be cách chức)."""
    return user is not None and user.has_role(Role.UNIT_HEAD, Role.LEADER)


def _checked_proposal(
    outcome: Outcome, proposal: DisciplineProposal, person: User | None, day: date
) -> DisciplineProposal:
    """Return the proposal's details if the outcome is discipline (all three required),
    else nothing; refuse the forms NĐ 172/2025 abolished and cách chức for one without a post."""
    if outcome != Outcome.DISCIPLINE:
        return DisciplineProposal()
    if proposal.form in ABOLISHED_FORMS and day >= ND172_IN_FORCE:
        raise ValidationError(
            _(
                "Hình thức “%(form)s” không còn áp dụng với công chức từ 01/07/2025 "
                "(Nghị định 172/2025/NĐ-CP): chọn khiển trách, cảnh cáo, cách chức hoặc "
                "buộc thôi việc.",
                form=ABOLISHED_FORMS[proposal.form],
            ),
            fields={"discipline_form": _("không còn áp dụng")},
        )
    missing = {}
    if proposal.form not in {f.value for f in DisciplineForm}:
        missing["discipline_form"] = _("bắt buộc")
    if proposal.severity not in {s.value for s in Severity}:
        missing["severity"] = _("bắt buộc")
    authority = " ".join((proposal.competent_authority or "").split())[:255]
    if not authority:
        missing["competent_authority"] = _("bắt buộc")
    if missing:
        raise ValidationError(
            _(
                "Đề nghị xem xét kỷ luật phải nêu hình thức kỷ luật, mức độ vi phạm và "
                "cấp có thẩm quyền xử lý."
            ),
            fields=missing,
        )
    if proposal.form == DisciplineForm.DISMISSAL and not _holds_a_post(person):
        raise ValidationError(
            _(
                "Chỉ đề nghị cách chức với người giữ chức vụ lãnh đạo, quản lý "
                "(Nghị định 172/2025/NĐ-CP)."
            ),
            fields={"discipline_form": _("người này không giữ chức vụ")},
        )
    return DisciplineProposal(proposal.form, proposal.severity, authority)


def conclude(
    escalation: Escalation,
    *,
    actor: User,
    now: datetime,
    outcome: str,
    note: str,
    corrects_id: int | None = None,
    proposal: DisciplineProposal | None = None,
) -> Conclusion:
    """Record the inspector's conclusion; a concluded record is only ever corrected."""
    if not may_conclude(actor):
        raise PermissionDenied(_("Chỉ Sở Nội vụ (thanh tra) được kết luận hồ sơ."))
    try:
        outcome = Outcome(outcome)
    except ValueError as exc:
        raise ValidationError(
            _("Hình thức kết luận không hợp lệ."), fields={"outcome": _("không hợp lệ")}
        ) from exc
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            _("Hãy ghi rõ nhận xét, căn cứ của kết luận."), fields={"note": _("bắt buộc")}
        )
    details = _checked_proposal(
        outcome, proposal or DisciplineProposal(), escalation.accountable_user, local_date(now)
    )
    # Two inspectors concluding at once queue on the record's row; the later one then
    # reads the conclusions again and finds the first's (a correction must name it).
    db.session.refresh(escalation, with_for_update=True)
    latest = escalation.conclusions[-1] if escalation.conclusions else None
    if latest is None and corrects_id is not None:
        raise ValidationError(_("Hồ sơ chưa có kết luận để đính chính."))
    if latest is not None and corrects_id != latest.id:
        raise TransitionError(
            _(
                "Hồ sơ đã có kết luận; chỉ có thể đính chính kết luận mới nhất "
                "bằng một kết luận mới."
            )
        )
    conclusion = Conclusion(
        escalation=escalation,
        outcome=outcome,
        note=note[:20000],
        concluded_by_id=actor.id,
        concluded_at=now,
        corrects_id=corrects_id,
        discipline_form=details.form,
        severity=details.severity,
        competent_authority=details.competent_authority,
    )
    db.session.add(conclusion)
    escalation.status = EscalationStatus.CONCLUDED
    db.session.flush()
    record(
        "task.escalation_concluded",
        escalation.task,
        actor=actor,
        now=now,
        after={
            "escalation_id": escalation.id,
            "conclusion_id": conclusion.id,
            "outcome": outcome,
            "note": note,
            "corrects_id": corrects_id,
            "discipline_form": details.form,
            "severity": details.severity,
            "competent_authority": details.competent_authority,
        },
    )
    logger.info("Escalation %s concluded (%s) by %s", escalation.id, outcome, actor.username)
    return conclusion


DECISION_LABELS = {
    **DISCIPLINE_FORM_LABELS,
    "none": N_("Không xử lý kỷ luật"),
}

# The outcomes that propose a measure another authority decides on.
PROPOSALS = (Outcome.DISCIPLINE, Outcome.TRANSFER)
NO_MEASURE = "none"  # the authority decided no disciplinary form


def awaits_decision(escalation: Escalation) -> bool:
    """Whether the record's conclusion in force proposes a measure not yet decided."""
    latest = escalation.conclusions[-1] if escalation.conclusions else None
    return latest is not None and latest.outcome in PROPOSALS and escalation.decision is None


def decision_overdue(escalation: Escalation, today: date, days: int) -> bool:
    """Whether a proposal has waited for the authority's decision more than ``days``."""
    if not awaits_decision(escalation):
        return False
    return (today - local_date(escalation.conclusions[-1].concluded_at)).days > days


def decision_overdue_clause(now: datetime, days: int) -> sa.ColumnElement[bool]:
    """The records whose proposal has waited more than ``days`` for a decision (for lists)."""
    any_conclusion = aliased(Conclusion)
    latest = (
        sa.select(sa.func.max(any_conclusion.id))
        .where(any_conclusion.escalation_id == Escalation.id)
        .correlate(Escalation)
        .scalar_subquery()
    )
    proposal = sa.select(Conclusion.id).where(
        Conclusion.escalation_id == Escalation.id,
        Conclusion.id == latest,
        Conclusion.outcome.in_(PROPOSALS),
        Conclusion.concluded_at < local_midnight(local_date(now) - timedelta(days=days)),
    )
    decided = sa.select(Decision.id).where(Decision.escalation_id == Escalation.id)
    return sa.and_(sa.exists(proposal), ~sa.exists(decided))


def record_decision(
    escalation: Escalation,
    *,
    actor: User,
    now: datetime,
    number: str,
    signed_on: date | None,
    form: str,
    note: str = "",
) -> Decision:
    """Record the competent authority's decision on the record's proposal (Sở Nội vụ)."""
    if not may_conclude(actor):
        raise PermissionDenied(_("Chỉ Sở Nội vụ (thanh tra) được ghi quyết định xử lý."))
    db.session.refresh(escalation, with_for_update=True)
    if escalation.decision is not None:
        raise TransitionError(_("Hồ sơ đã có quyết định của cấp có thẩm quyền."))
    if not awaits_decision(escalation):
        raise TransitionError(_("Hồ sơ chưa có đề nghị kỷ luật hay điều chuyển để ghi quyết định."))
    number = " ".join((number or "").split())
    problems = {}
    if not number or len(number) > 80:
        problems["number"] = _("bắt buộc, tối đa 80 ký tự")
    concluded_on = local_date(escalation.conclusions[-1].concluded_at)
    if signed_on is None or not concluded_on <= signed_on <= local_date(now):
        problems["signed_on"] = _("từ ngày kết luận đến hôm nay")
    if form not in {f.value for f in DisciplineForm} | {NO_MEASURE}:
        problems["form"] = _("không hợp lệ")
    if problems:
        raise ValidationError(
            _(
                "Quyết định cần số, ngày ký (từ ngày kết luận đến hôm nay) và hình thức xử lý "
                "(hoặc không xử lý kỷ luật)."
            ),
            fields=problems,
        )
    decision = Decision(
        escalation=escalation,
        number=number,
        signed_on=signed_on,
        form=form,
        note=(note or "").strip()[:20000],
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(decision)
    db.session.flush()
    record(
        "task.escalation_decided",
        escalation.task,
        actor=actor,
        now=now,
        after={
            "escalation_id": escalation.id,
            "number": number,
            "signed_on": signed_on,
            "form": form,
            "note": decision.note,
        },
    )
    return decision
