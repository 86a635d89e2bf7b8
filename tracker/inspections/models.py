"""Inspections of units by Sở Nội vụ and their findings; what kinds and severities there are."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.dbtypes import UTCDateTime, enum_column
from tracker.extensions import db
from tracker.org.models import Unit, User
from tracker.tasks.models import SourceDocument, Task


class InspectionKind(enum.StrEnum):
    DIRECT = "direct"  # kiểm tra trực tiếp tại đơn vị
    SYSTEM = "system"  # kiểm tra qua hệ thống (the tracker's own data)
    REPORTS = "reports"  # kiểm tra qua báo cáo của đơn vị


class Severity(enum.StrEnum):
    MINOR = "minor"
    MODERATE = "moderate"
    SERIOUS = "serious"


KIND_LABELS = {
    InspectionKind.DIRECT: _l("Trực tiếp"),
    InspectionKind.SYSTEM: _l("Qua hệ thống"),
    InspectionKind.REPORTS: _l("Qua báo cáo"),
}


SEVERITY_LABELS = {
    Severity.MINOR: _l("Nhẹ"),
    Severity.MODERATE: _l("Trung bình"),
    Severity.SERIOUS: _l("Nghiêm trọng"),
}


# Labels of this feature's events in the audit trail (the audit views show them).
ACTION_LABELS = {
    "inspection.recorded": _l("Ghi nhận đợt kiểm tra"),
    "inspection.finding_added": _l("Ghi kết luận kiểm tra"),
    "inspection.finding_followed_up": _l("Giao nhiệm vụ khắc phục"),
}


class Inspection(db.Model):
    """An inspection of one unit by Sở Nội vụ: how, when, by whom, and what it covered."""

    __tablename__ = "inspections"
    __table_args__ = (sa.Index("ix_inspections_unit_id_inspected_on", "unit_id", "inspected_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InspectionKind] = mapped_column(enum_column(InspectionKind, "inspection_kind"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    inspected_on: Mapped[date] = mapped_column(sa.Date, index=True)
    team: Mapped[str] = mapped_column(sa.Text)  # the members of the inspection team
    summary: Mapped[str] = mapped_column(sa.Text)  # scope and overall result
    # The inspection plan or directive it was carried out under; follow-up tasks cite it.
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("source_documents.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship()
    document: Mapped[SourceDocument | None] = relationship()
    recorded_by: Mapped[User] = relationship()
    findings: Mapped[list[Finding]] = relationship(
        back_populates="inspection", order_by="Finding.id", cascade="all, delete-orphan"
    )


class Finding(db.Model):
    """One finding of an inspection, the fix it calls for, and the task that carries the fix."""

    __tablename__ = "inspection_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)
    recommendation: Mapped[str] = mapped_column(sa.Text, default="")
    severity: Mapped[Severity | None] = mapped_column(enum_column(Severity, "finding_severity"))
    # One finding, one follow-up task; a task follows up at most one finding.
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"), unique=True)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    task: Mapped[Task | None] = relationship()
