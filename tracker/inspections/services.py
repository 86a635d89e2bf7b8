"""Recording an inspection and its findings, turning a finding into a follow-up task, and
reading them back.

An inspector records an inspection (direct, through the system or through reports) and
its findings, each with the fix the inspection recommends. The office (the assigner)
then turns a finding into a follow-up task: an ordinary task, drafted and issued through
the task services, so it passes the same "5 rõ" gate as any other, and linked to the
finding it comes from. Inspectors propose; only the office hands out tasks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker.audit.services import record
from tracker.clock import local_date
from tracker.errors import ConflictError, ValidationError
from tracker.extensions import db
from tracker.inspections.models import Finding, Inspection, InspectionKind, Severity
from tracker.inspections.permissions import (
    require_follow_up,
    require_record,
    visible_inspections_clause,
)
from tracker.org.models import Unit, User
from tracker.tasks.classification import AsOf, category_sql
from tracker.tasks.models import SourceDocument, Task, TaskState
from tracker.tasks.services import TaskInput, checked_text, create_draft, issue_task

logger = logging.getLogger(__name__)


TEXT_MAX = 20_000


TITLE_PREFIX = "Khắc phục: "


TITLE_SHORT = 200


NO_TASK = "no_task"  # the category of a finding nobody has turned into a task yet


# How the kind reads inside a follow-up task's description: stored text, always Vietnamese.
_KIND_IN_TEXT = {
    InspectionKind.DIRECT: "trực tiếp",
    InspectionKind.SYSTEM: "qua hệ thống",
    InspectionKind.REPORTS: "qua báo cáo",
}


@dataclass
class InspectionInput:
    """What an inspector says about an inspection."""

    kind: str | None = None
    unit_id: int | None = None
    inspected_on: date | None = None
    team: str = ""
    summary: str = ""
    document_id: int | None = None


def _text(value: str | None, name: str) -> str:
    return checked_text(value, name, TEXT_MAX)


def _inspection_snapshot(inspection: Inspection) -> dict:
    return {
        "kind": inspection.kind,
        "unit_id": inspection.unit_id,
        "inspected_on": inspection.inspected_on,
        "team": inspection.team,
        "summary": inspection.summary,
        "document_id": inspection.document_id,
    }


def _check_inspection(data: InspectionInput, today: date) -> tuple[InspectionKind, str, str]:
    """Return the kind, team and summary, or refuse naming every field that is wrong."""
    problems: dict[str, str] = {}
    kind = None
    try:
        kind = InspectionKind(data.kind)
    except ValueError:
        problems["kind"] = "Hãy chọn hình thức kiểm tra."
    unit = db.session.get(Unit, data.unit_id) if data.unit_id is not None else None
    if unit is None:
        problems["unit_id"] = "Hãy chọn đơn vị được kiểm tra."
    if data.inspected_on is None:
        problems["inspected_on"] = "Hãy nhập ngày kiểm tra (dd/mm/yyyy)."
    elif data.inspected_on > today:
        problems["inspected_on"] = "Ngày kiểm tra không được sau hôm nay."
    if data.document_id is not None and db.session.get(SourceDocument, data.document_id) is None:
        problems["document_id"] = "Văn bản không tồn tại."
    team, summary = _text(data.team, "team"), _text(data.summary, "summary")
    if not team:
        problems["team"] = "Hãy ghi thành phần đoàn kiểm tra."
    if not summary:
        problems["summary"] = "Hãy ghi phạm vi, nội dung kiểm tra."
    if problems:
        raise ValidationError(
            "Chưa ghi nhận được đợt kiểm tra: " + " ".join(problems.values()), fields=problems
        )
    return kind, team, summary


def record_inspection(data: InspectionInput, *, actor: User, now: datetime) -> Inspection:
    """Record an inspection of a unit (the inspector)."""
    require_record(actor)
    kind, team, summary = _check_inspection(data, local_date(now))
    inspection = Inspection(
        kind=kind,
        unit_id=data.unit_id,
        inspected_on=data.inspected_on,
        team=team,
        summary=summary,
        document_id=data.document_id,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(inspection)
    db.session.flush()
    record(
        "inspection.recorded",
        inspection,
        actor=actor,
        now=now,
        after=_inspection_snapshot(inspection),
    )
    logger.info(
        "Inspection %s of unit %s recorded by %s", inspection.id, data.unit_id, actor.username
    )
    return inspection


def add_finding(
    inspection: Inspection,
    *,
    text: str,
    recommendation: str = "",
    severity: str | None = None,
    actor: User,
    now: datetime,
) -> Finding:
    """Add a finding, and the fix it calls for, to an inspection (the inspector)."""
    require_record(actor)
    text, recommendation = _text(text, "text"), _text(recommendation, "recommendation")
    if not text:
        raise ValidationError(_("Hãy ghi nội dung kết luận."), fields={"text": _("bắt buộc")})
    try:
        level = Severity(severity) if severity else None
    except ValueError as exc:
        raise ValidationError(
            _("Mức độ không hợp lệ."), fields={"severity": _("không hợp lệ")}
        ) from exc
    finding = Finding(
        inspection=inspection,
        text=text,
        recommendation=recommendation,
        severity=level,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(finding)
    db.session.flush()
    record(
        "inspection.finding_added",
        finding,
        actor=actor,
        now=now,
        after={
            "inspection_id": inspection.id,
            "text": text,
            "recommendation": recommendation,
            "severity": level,
        },
    )
    logger.info(
        "Finding %s added to inspection %s by %s", finding.id, inspection.id, actor.username
    )
    return finding


def _shorten(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def follow_up_input(finding: Finding, *, today: date) -> TaskInput:
    """Return a follow-up task's content as the finding suggests it, for the office to complete."""
    inspection = finding.inspection
    origin = (
        f"Theo kết luận kiểm tra {_KIND_IN_TEXT[inspection.kind]} tại "
        f"{inspection.unit.name} ngày {inspection.inspected_on:%d/%m/%Y} "
        f"(đợt kiểm tra số {inspection.id}, kết luận số {finding.id})."
    )
    parts = [finding.text]
    if finding.recommendation:
        parts.append(f"Kiến nghị: {finding.recommendation}")
    parts.append(origin)
    return TaskInput(
        title=TITLE_PREFIX + _shorten(finding.text, TITLE_SHORT),
        description="\n\n".join(parts),
        document_id=inspection.document_id,
        lead_unit_id=inspection.unit_id,
        accountable_user_id=inspection.unit.head_id,
        start_date=today,
        expected_outcome="Báo cáo kết quả khắc phục, kèm minh chứng.",
    )


def turn_finding_into_task(
    finding: Finding, data: TaskInput, *, actor: User, now: datetime
) -> Task:
    """Draft and issue the finding's follow-up task; refused, leaving nothing, unless it is
    clear on every "rõ"."""
    require_follow_up(actor)
    if finding.task_id is not None:
        raise ConflictError(
            _("Kết luận này đã có nhiệm vụ khắc phục (nhiệm vụ số %(id)s).", id=finding.task_id),
            code="already_followed_up",
        )
    task = create_draft(data, actor=actor, now=now)
    issue_task(task, actor=actor, now=now)
    # Link only if nobody linked it meanwhile: two clicks at once give one task, not two.
    linked = db.session.execute(
        sa.update(Finding)
        .where(Finding.id == finding.id, Finding.task_id.is_(None))
        .values(task_id=task.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if linked != 1:
        raise ConflictError(
            _("Kết luận này vừa được giao nhiệm vụ khắc phục. Hãy tải lại trang."),
            code="already_followed_up",
        )
    db.session.expire(finding, ["task_id", "task"])
    record(
        "inspection.finding_followed_up",
        finding,
        actor=actor,
        now=now,
        before={"task_id": None},
        after={"task_id": task.id, "inspection_id": finding.inspection_id},
    )
    logger.info("Finding %s followed up by task %s (%s)", finding.id, task.id, actor.username)
    return task


@dataclass
class InspectionRow:
    inspection: Inspection
    findings: int = 0
    # Findings by the category of their follow-up task (NO_TASK: none yet).
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class InspectionPage:
    rows: list[InspectionRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _finding_category(as_of: AsOf) -> sa.ColumnElement[str]:
    # A finding without a task joins no task row, where category_sql would say "on track".
    return sa.case((Finding.task_id.is_(None), sa.literal(NO_TASK)), else_=category_sql(as_of))


def list_inspections(
    user: User,
    as_of: AsOf,
    *,
    unit_id: int | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 30,
) -> InspectionPage:
    """Return one page of the inspections the user may see, newest first, with their
    findings counted by the category of each follow-up task (a fixed number of queries)."""
    query = sa.select(Inspection).where(visible_inspections_clause(user))
    if unit_id is not None:
        query = query.where(Inspection.unit_id == unit_id)
    if kind in {k.value for k in InspectionKind}:
        query = query.where(Inspection.kind == kind)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    inspections = db.session.scalars(
        query.order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
        .options(selectinload(Inspection.unit))
    ).all()
    rows = {i.id: InspectionRow(i) for i in inspections}
    if rows:
        category = _finding_category(as_of)
        grouped = (
            sa.select(Finding.inspection_id, category, sa.func.count())
            .outerjoin(Task, Finding.task_id == Task.id)
            .where(Finding.inspection_id.in_(rows))
            .group_by(Finding.inspection_id, category)
        )
        for inspection_id, name, n in db.session.execute(grouped):
            rows[inspection_id].counts[name] = n
            rows[inspection_id].findings += n
    return InspectionPage(list(rows.values()), total or 0, max(page, 1), per_page)


@dataclass
class FindingRow:
    finding: Finding
    task_title: str | None
    task_state: TaskState | None
    category: str


def inspection_findings(inspection: Inspection, as_of: AsOf) -> list[FindingRow]:
    """Return the inspection's findings with each follow-up task's category (one query)."""
    query = (
        sa.select(Finding, Task.title, Task.state, _finding_category(as_of))
        .outerjoin(Task, Finding.task_id == Task.id)
        .where(Finding.inspection_id == inspection.id)
        .order_by(Finding.id)
    )
    return [FindingRow(*row) for row in db.session.execute(query)]
