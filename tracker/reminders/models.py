"""Rules of the ladder, what the sweep sent, and escalation records for discipline review."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.dbtypes import UTCDateTime, enum_column
from tracker.extensions import db
from tracker.org.models import User
from tracker.tasks.models import Milestone, Task


class NoticeKind(enum.StrEnum):
    REMINDER = "reminder"  # nhắc hạn: before or on the due date
    WARNING = "warning"  # cảnh báo quá hạn: once, when the due date has passed
    URGING = "urging"  # đôn đốc: to the supervising leader, repeatedly while overdue


class Recipient(enum.StrEnum):
    ACCOUNTABLE = "accountable"
    ASSIGNEE = "assignee"
    UNIT_HEAD = "unit_head"
    ASSIGNER = "assigner"
    SUPERVISOR = "supervisor"
    INSPECTORS = "inspectors"


class ReminderRule(db.Model):
    """One rung of the ladder, editable by the admin.

    ``offset_days`` counts working days from the deadline: -5 is five working days
    before it, 0 the day itself, 1 the first working day after it. A rule with
    ``repeat_every`` fires again every that many working days while overdue.
    """

    __tablename__ = "reminder_rules"
    __table_args__ = (sa.UniqueConstraint("kind", "offset_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind, "notice_kind"))
    offset_days: Mapped[int] = mapped_column()
    repeat_every: Mapped[int | None] = mapped_column()
    recipients: Mapped[str] = mapped_column(sa.String(200))  # comma-separated Recipient values
    for_milestones: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def recipient_list(self) -> list[Recipient]:
        return [Recipient(r) for r in self.recipients.split(",") if r]


class EscalationSettings(db.Model):
    """When an overdue task becomes a record for Sở Nội vụ (one row, editable by the admin)."""

    __tablename__ = "escalation_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    overdue_working_days: Mapped[int] = mapped_column(default=10)
    unanswered_notices: Mapped[int] = mapped_column(default=3)


class Reminder(db.Model):
    """A reminder, warning or urging the sweep sent about one deadline.

    ``subject`` names what it is about ("t12" a task, "m40" a milestone); together with
    the rule, the deadline and the occurrence it is unique, so running the sweep again,
    twice at once or after a crash can never send the same notice twice.
    """

    __tablename__ = "reminders"
    __table_args__ = (sa.UniqueConstraint("subject", "rule_id", "deadline", "occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(20))
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("milestones.id"))
    rule_id: Mapped[int] = mapped_column(sa.ForeignKey("reminder_rules.id"))
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind, "notice_kind"))
    deadline: Mapped[date] = mapped_column(sa.Date)
    occurrence: Mapped[int] = mapped_column(default=1)
    scheduled_on: Mapped[date] = mapped_column(sa.Date)  # the working day it was due to go out
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    late: Mapped[bool] = mapped_column(default=False)  # sent after its day (catch-up)
    overdue_days: Mapped[int] = mapped_column(default=0)  # working days past the deadline
    sweep_id: Mapped[str] = mapped_column(sa.String(32), index=True)

    task: Mapped[Task] = relationship()
    milestone: Mapped[Milestone | None] = relationship()
    rule: Mapped[ReminderRule] = relationship()


class EscalationStatus(enum.StrEnum):
    OPEN = "open"
    CONCLUDED = "concluded"


class EscalationReason(enum.StrEnum):
    OVERDUE_DAYS = "overdue_days"
    UNANSWERED = "unanswered"


class Outcome(enum.StrEnum):
    NO_FAULT = "no_fault"  # nguyên nhân khách quan, không có lỗi
    REMINDER = "reminder"  # nhắc nhở
    CRITICISM = "criticism"  # phê bình
    DISCIPLINE = "discipline"  # đề nghị xem xét kỷ luật
    TRANSFER = "transfer"  # đề nghị điều chuyển


class DisciplineForm(enum.StrEnum):
    """The disciplinary forms for công chức under Nghị định 172/2025/NĐ-CP (from 01/07/2025)."""

    REPRIMAND = "reprimand"  # khiển trách
    WARNING = "warning"  # cảnh cáo
    DISMISSAL = "dismissal"  # cách chức: only for one holding a leadership or management post
    FORCED_RESIGNATION = "forced_resignation"  # buộc thôi việc


# Forms of NĐ 112/2020 that NĐ 172/2025 abolished for công chức from 01/07/2025.
ABOLISHED_FORMS = {"salary_downgrade": "hạ bậc lương", "demotion": "giáng chức"}
ND172_IN_FORCE = date(2025, 7, 1)


class Severity(enum.StrEnum):
    LESS_SERIOUS = "less_serious"  # ít nghiêm trọng
    SERIOUS = "serious"  # nghiêm trọng
    VERY_SERIOUS = "very_serious"  # rất nghiêm trọng


class Escalation(db.Model):
    """A record for Sở Nội vụ's discipline review of a task that stayed overdue."""

    __tablename__ = "escalations"
    __table_args__ = (sa.UniqueConstraint("task_id", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"))
    deadline: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[EscalationReason] = mapped_column(
        enum_column(EscalationReason, "escalation_reason")
    )
    overdue_days: Mapped[int] = mapped_column()
    notices_before: Mapped[int] = mapped_column()  # warnings and urgings unanswered by then
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_on: Mapped[date] = mapped_column(sa.Date, index=True)
    status: Mapped[EscalationStatus] = mapped_column(
        enum_column(EscalationStatus, "escalation_status"), default=EscalationStatus.OPEN
    )
    # Who answered for the task when the record was opened, kept as it was then.
    accountable_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    unit_head_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    supervisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lead_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    sweep_id: Mapped[str] = mapped_column(sa.String(32), index=True)

    task: Mapped[Task] = relationship()
    accountable_user: Mapped[User | None] = relationship(foreign_keys=[accountable_user_id])
    unit_head: Mapped[User | None] = relationship(foreign_keys=[unit_head_id])
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])
    decision: Mapped[Decision | None] = relationship(back_populates="escalation", uselist=False)
    conclusions: Mapped[list[Conclusion]] = relationship(
        back_populates="escalation", order_by="Conclusion.id"
    )


class Conclusion(db.Model):
    """The inspector's conclusion on an escalation record; never edited, only corrected
    by a later conclusion that names the one it corrects."""

    __tablename__ = "escalation_conclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(sa.ForeignKey("escalations.id"), index=True)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "conclusion_outcome"))
    note: Mapped[str] = mapped_column(sa.Text)
    concluded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    concluded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    corrects_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("escalation_conclusions.id"), unique=True
    )
    # With a proposal of discipline (NĐ 172/2025): the form, the severity, and who decides.
    discipline_form: Mapped[str | None] = mapped_column(sa.String(30))
    severity: Mapped[str | None] = mapped_column(sa.String(20))
    competent_authority: Mapped[str | None] = mapped_column(sa.String(255))

    escalation: Mapped[Escalation] = relationship(back_populates="conclusions")
    concluded_by: Mapped[User] = relationship()


class Decision(db.Model):
    """The competent authority's decision on a proposal of discipline or transfer, recorded
    by Sở Nội vụ once it is signed; never edited."""

    __tablename__ = "escalation_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(sa.ForeignKey("escalations.id"), unique=True)
    number: Mapped[str] = mapped_column(sa.String(80))  # số quyết định
    signed_on: Mapped[date] = mapped_column(sa.Date)
    form: Mapped[str] = mapped_column(sa.String(30))  # a DisciplineForm, or "none"
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    escalation: Mapped[Escalation] = relationship(back_populates="decision")
    recorded_by: Mapped[User] = relationship()


class SweepClock(db.Model):
    """When the sweep last ran (one row): a notice that fell due on a day no sweep ran is
    sent late, and says so."""

    __tablename__ = "sweep_clock"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_swept_at: Mapped[datetime] = mapped_column(UTCDateTime)
