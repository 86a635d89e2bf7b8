"""Directive documents, tasks and everything recorded about a task."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, defer, mapped_column, relationship

from tracker.clock import local_date, utcnow
from tracker.dbtypes import UTCDateTime, enum_column
from tracker.extensions import db
from tracker.org.models import Field, Role, Unit, User


class TaskState(enum.StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class Stage(enum.StrEnum):
    """Where a task is in its life, as people say it: the state, with a result sent back
    for more work told apart from ordinary work in progress."""

    DRAFT = "draft"
    AWAITING_ACCEPTANCE = "awaiting_acceptance"  # chờ tiếp nhận
    IN_PROGRESS = "in_progress"  # đang thực hiện
    RETURNED = "returned"  # bị trả lại
    AWAITING_REVIEW = "awaiting_review"  # chờ đánh giá
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


# The groups of states, each written once.
# Out with its unit, not yet closed: a result awaiting review is still open.
OPEN_STATES = (TaskState.ISSUED, TaskState.ACCEPTED, TaskState.IN_PROGRESS, TaskState.SUBMITTED)
# With its unit and the clock running: a submitted result stops the reminders and warnings.
RUNNING_STATES = (TaskState.ISSUED, TaskState.ACCEPTED, TaskState.IN_PROGRESS)
# Done with: completed, or withdrawn with a reason.
CLOSED_STATES = (TaskState.COMPLETED, TaskState.WITHDRAWN)
# The partial indexes' condition (the migrations that made them spell it out too).
OPEN_STATES_SQL = "state IN ({})".format(", ".join(f"'{state.value}'" for state in OPEN_STATES))
# What classifies an open task and groups it in reports (see the index ix_tasks_open).
OPEN_TASK_COLUMNS = [
    "id", "state", "issued_at", "issued_on", "due_date", "original_due_date", "due_date_since",
    "submitted_on", "completed_at", "completed_on", "withdrawn_at", "last_progress_at",
    "field_id", "document_id", "parent_id", "supervisor_id", "accountable_user_id",
    "assignee_user_id", "late_extension",
]  # fmt: skip


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class ExtensionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class DeadlineReason(enum.StrEnum):
    ISSUED = "issued"
    EXTENSION = "extension"


class SourceDocument(db.Model):
    """The directive document a task comes from (kế hoạch, công văn, quyết định…)."""

    __tablename__ = "source_documents"
    __table_args__ = (sa.UniqueConstraint("number", "issuer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(80))
    issuer: Mapped[str] = mapped_column(sa.String(255))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tasks: Mapped[list[Task]] = relationship(back_populates="document")
    files: Mapped[list[EvidenceFile]] = relationship(order_by="EvidenceFile.id")

    @property
    def label(self) -> str:
        return f"{self.kind} {self.number} ({self.issued_on:%d/%m/%Y})"


class Task(db.Model):
    """A task handed out by the People's Committee, clear on its 5 rõ once issued."""

    __tablename__ = "tasks"
    __table_args__ = (
        sa.Index("ix_tasks_state_due_date", "state", "due_date"),
        sa.Index("ix_tasks_lead_unit_state", "lead_unit_id", "state"),
        # Each period of a series has one occurrence, however often the scheduler runs.
        sa.Index("ix_tasks_series_period", "series_id", "period_start", unique=True),
        # The list's order (by due date, then id) and the scorecards' period of issue.
        sa.Index("ix_tasks_due_date_id", "due_date", "id"),
        sa.Index("ix_tasks_issued_on", "issued_on"),
        # Reports as of a past day read the tasks closed since then (oversight/reports.py);
        # partial, so that "completed after …" is one index, state and time together.
        sa.Index(
            "ix_tasks_completed_at",
            "completed_at",
            postgresql_where=sa.text("state = 'completed'"),
            sqlite_where=sa.text("state = 'completed'"),
        ),
        sa.Index(
            "ix_tasks_withdrawn_at",
            "withdrawn_at",
            postgresql_where=sa.text("state = 'withdrawn'"),
            sqlite_where=sa.text("state = 'withdrawn'"),
        ),
        # A person's tasks, by the unit leading them (a head's work in other units).
        sa.Index("ix_tasks_accountable_user_lead_unit", "accountable_user_id", "lead_unit_id"),
        sa.Index("ix_tasks_assignee_user_lead_unit", "assignee_user_id", "lead_unit_id"),
        # A person's open tasks: a head is accountable for years of the unit's tasks.
        sa.Index(
            "ix_tasks_open_accountable",
            "accountable_user_id",
            postgresql_where=sa.text(OPEN_STATES_SQL),
            sqlite_where=sa.text(OPEN_STATES_SQL),
        ),
        sa.Index(
            "ix_tasks_open_assignee",
            "assignee_user_id",
            postgresql_where=sa.text(OPEN_STATES_SQL),
            sqlite_where=sa.text(OPEN_STATES_SQL),
        ),
        # The open tasks — a tenth of a city's — with everything that classifies them as of
        # a day, so counting them reads this index alone (tasks/counting.py).
        sa.Index(
            "ix_tasks_open",
            "lead_unit_id",
            postgresql_include=OPEN_TASK_COLUMNS,
            postgresql_where=sa.text(OPEN_STATES_SQL),
            sqlite_where=sa.text(OPEN_STATES_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    # A sub-task's parent: the task it is a share of, led by the unit above its own.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    # The sub-task's share of its parent's rolled-up progress (equal shares by default).
    weight: Mapped[int] = mapped_column(default=1, server_default="1")
    # Issued with the same content to many units at once (one task per unit).
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("task_groups.id"), index=True)
    # An occurrence of a recurring task: its series and the first day of its period.
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("task_series.id"))
    period_start: Mapped[date | None] = mapped_column(sa.Date)

    # rõ việc
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("source_documents.id"), index=True
    )
    field_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fields.id"), index=True)
    # rõ người
    lead_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    accountable_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    assignee_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # rõ trách nhiệm
    supervisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # rõ tiến độ
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    due_in_working_days: Mapped[int | None] = mapped_column()
    original_due_date: Mapped[date | None] = mapped_column(sa.Date)
    # When the current due date took effect (issue, or the latest extension granted): a
    # report as of a later day knows the due date then without reading the history.
    due_date_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # rõ hiệu quả
    expected_outcome: Mapped[str] = mapped_column(sa.Text, default="")
    target: Mapped[str] = mapped_column(sa.Text, default="")
    # Title and description folded to plain lowercase letters, so that a search typed
    # without diacritics ("cai cach") finds "Cải cách".
    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    priority: Mapped[Priority] = mapped_column(
        enum_column(Priority, "priority"), default=Priority.NORMAL
    )

    state: Mapped[TaskState] = mapped_column(
        enum_column(TaskState, "task_state"), default=TaskState.DRAFT
    )
    # An approved extension was asked after the due date then in force: the task was late,
    # and stays late whatever the new date (classification.py, closures.py).
    late_extension: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The result was returned for more work and not submitted again yet ("bị trả lại").
    returned: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The local date of issue: reminders due before it are never sent.
    issued_on: Mapped[date | None] = mapped_column(sa.Date)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    progress_percent: Mapped[int] = mapped_column(default=0)
    last_progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the unit last answered the warnings and urgings in substance: a report that moved
    # the work on (a higher percentage, or evidence), a submitted result, an approved
    # extension. A report of "." is a report, not an answer (services.answers_notices).
    last_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_on: Mapped[date | None] = mapped_column(sa.Date)
    result_summary: Mapped[str] = mapped_column(sa.Text, default="")
    # The local date the accepted result was reported: what "on time" is judged by.
    completed_on: Mapped[date | None] = mapped_column(sa.Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_on: Mapped[date | None] = mapped_column(sa.Date)
    withdrawal_reason: Mapped[str] = mapped_column(sa.Text, default="")

    __mapper_args__ = {"version_id_col": version}

    document: Mapped[SourceDocument | None] = relationship(back_populates="tasks")
    parent: Mapped[Task | None] = relationship(remote_side=[id], back_populates="subtasks")
    subtasks: Mapped[list[Task]] = relationship(back_populates="parent", order_by="Task.id")
    field: Mapped[Field | None] = relationship()
    lead_unit: Mapped[Unit | None] = relationship()
    accountable_user: Mapped[User | None] = relationship(foreign_keys=[accountable_user_id])
    assignee_user: Mapped[User | None] = relationship(foreign_keys=[assignee_user_id])
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    coordinations: Mapped[list[Coordination]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="Coordination.id"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="Milestone.due_date"
    )
    process_steps: Mapped[list[ProcessStep]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="ProcessStep.position"
    )
    progress_updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="ProgressUpdate.id"
    )
    extension_requests: Mapped[list[ExtensionRequest]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="ExtensionRequest.id"
    )
    deadlines: Mapped[list[TaskDeadline]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskDeadline.id"
    )
    reviews: Mapped[list[Review]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="Review.id"
    )
    comments: Mapped[list[TaskComment]] = relationship(
        cascade="all, delete-orphan", order_by="TaskComment.id"
    )

    @property
    def was_extended(self) -> bool:
        return self.original_due_date is not None and self.due_date != self.original_due_date

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.state}>"


# What a task's line in a list or a notice never shows: read only if asked for.
LONG_TEXTS = (
    "description",
    "expected_outcome",
    "target",
    "search_text",
    "result_summary",
    "withdrawal_reason",
)


def without_long_texts() -> tuple:
    """Loader options that leave a task's long texts in the database, for the pages and
    jobs that show many tasks a line each (a text asked for after all is read then)."""
    return tuple(defer(getattr(Task, name)) for name in LONG_TEXTS)


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"
    WORKING_DAYS = "working_days"  # every N working days


class DueRule(enum.StrEnum):
    CALENDAR_DAY = "calendar_day"  # the Nth of the month (a day off moves to the next working day)
    WORKING_DAY = "working_day"  # the Nth working day of the month


class TaskSeries(db.Model):
    """A recurring task: its content once, and when each occurrence falls due.

    A change "from a date on" ends this series the day before and starts a new one
    (``previous_id``), so past occurrences keep the rules they were made under.
    """

    __tablename__ = "task_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    content: Mapped[str] = mapped_column(sa.Text)  # the occurrences' 5 rõ, as JSON
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency, "series_frequency"))
    every_working_days: Mapped[int | None] = mapped_column()
    due_rule: Mapped[DueRule] = mapped_column(enum_column(DueRule, "series_due_rule"))
    due_day: Mapped[int] = mapped_column()
    # The month the deadline falls in: the period's last month, or the month after it.
    due_next_month: Mapped[bool] = mapped_column(default=False)
    create_days_ahead: Mapped[int] = mapped_column(default=7)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    paused: Mapped[bool] = mapped_column(default=False)
    previous_id: Mapped[int | None] = mapped_column(sa.ForeignKey("task_series.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    created_by: Mapped[User] = relationship()


class TaskGroup(db.Model):
    """The tasks one issue gave to many units (every district, every commune of a
    district…), followed together by whoever issued them."""

    __tablename__ = "task_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    tasks: Mapped[list[Task]] = relationship(
        foreign_keys="Task.group_id", order_by="Task.id", viewonly=True
    )


class Coordination(db.Model):
    """A coordinating unit (đơn vị phối hợp) and what it owes the lead unit."""

    __tablename__ = "task_coordinations"
    __table_args__ = (sa.UniqueConstraint("task_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    responsibility: Mapped[str] = mapped_column(sa.Text, default="")

    task: Mapped[Task] = relationship(back_populates="coordinations")
    unit: Mapped[Unit] = relationship()


class Milestone(db.Model):
    """A point on the roadmap (lộ trình) of a long task."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    due_date: Mapped[date] = mapped_column(sa.Date)
    completed_on: Mapped[date | None] = mapped_column(sa.Date)

    task: Mapped[Task] = relationship(back_populates="milestones")


class ProcessStep(db.Model):
    """One step of the order in which the task is done (rõ quy trình)."""

    __tablename__ = "process_steps"
    __table_args__ = (sa.UniqueConstraint("task_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(sa.Text)

    task: Mapped[Task] = relationship(back_populates="process_steps")


class TaskDeadline(db.Model):
    """Every due date a task has had, from when it applied: the history reports read."""

    __tablename__ = "task_deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    due_date: Mapped[date] = mapped_column(sa.Date)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[DeadlineReason] = mapped_column(enum_column(DeadlineReason, "deadline_reason"))
    extension_request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("extension_requests.id"))

    task: Mapped[Task] = relationship(back_populates="deadlines")


class ProgressUpdate(db.Model):
    """A progress report from the unit, with evidence."""

    __tablename__ = "progress_updates"
    # "Not updated for N days" reads each task's latest report before a date.
    __table_args__ = (sa.Index("ix_progress_updates_task_created", "task_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    percent: Mapped[int] = mapped_column()
    narrative: Mapped[str] = mapped_column(sa.Text)
    difficulties: Mapped[str] = mapped_column(sa.Text, default="")
    proposals: Mapped[str] = mapped_column(sa.Text, default="")

    task: Mapped[Task] = relationship(back_populates="progress_updates")
    author: Mapped[User] = relationship()
    evidence: Mapped[list[EvidenceFile]] = relationship(
        back_populates="progress_update", order_by="EvidenceFile.id"
    )


class EvidenceFile(db.Model):
    """A file attached to a task's report, comment, extension request or result, or to a
    directive document (the signed scan); the bytes live outside static/, named by
    ``stored_name``. Exactly what it is attached to is set; a document's file has no task."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True
    )
    progress_update_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("progress_updates.id"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("task_comments.id"), index=True)
    extension_request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("extension_requests.id"), index=True
    )
    review_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reviews.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("source_documents.id"), index=True
    )
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    progress_update: Mapped[ProgressUpdate | None] = relationship(back_populates="evidence")


class TaskComment(db.Model):
    """A comment in a task's discussion (ý kiến trao đổi), with its files."""

    __tablename__ = "task_comments"
    __table_args__ = (sa.Index("ix_task_comments_task_created", "task_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[str] = mapped_column(sa.Text)

    author: Mapped[User] = relationship()
    files: Mapped[list[EvidenceFile]] = relationship(order_by="EvidenceFile.id")


class ExtensionRequest(db.Model):
    """A request to move the due date (đề nghị gia hạn), and the assigner's decision."""

    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    current_due_date: Mapped[date] = mapped_column(sa.Date)
    new_due_date: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ExtensionStatus] = mapped_column(
        enum_column(ExtensionStatus, "extension_status"), default=ExtensionStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    task: Mapped[Task] = relationship(back_populates="extension_requests")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    files: Mapped[list[EvidenceFile]] = relationship(order_by="EvidenceFile.id")

    @property
    def late_request(self) -> bool:
        """Asked after the due date then in force: the task was late already, and approving
        it moves the date without making the task on time (Task.late_extension)."""
        return local_date(self.requested_at) > self.current_due_date


class Review(db.Model):
    """A submitted result and the assigner's review of it (accepted or returned)."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(sa.Text)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted: Mapped[bool | None] = mapped_column()
    note: Mapped[str] = mapped_column(sa.Text, default="")

    task: Mapped[Task] = relationship(back_populates="reviews")
    files: Mapped[list[EvidenceFile]] = relationship(order_by="EvidenceFile.id")
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])


class ClosedTaskCount(db.Model):
    """How many tasks closed in a period, per lead unit or per field, by level and outcome.

    A task closes once (its result accepted, or withdrawn) and never opens again, so these
    counts, kept in the transaction of each closure, let reports count years of closed
    work without reading it (``tasks/closures.py``). Each closure counts four times: under
    its lead unit and under its field (``key``: the unit's or the field's id, 0 for a task
    without a field), for its year and for its month — years for the past, months for the
    year of the report, so a report reads a few thousand rows, not one per month and unit.
    """

    __tablename__ = "closed_task_counts"

    dimension: Mapped[str] = mapped_column(sa.String(20), primary_key=True)  # see closures.py
    period: Mapped[str] = mapped_column(sa.String(10), primary_key=True)  # year | month
    starts_on: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    key: Mapped[int] = mapped_column(primary_key=True)
    top_level: Mapped[bool] = mapped_column(primary_key=True)
    outcome: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    count: Mapped[int] = mapped_column()


class ProcessTemplate(db.Model):
    """A named standard procedure: the ordered steps of a kind of task ("rõ quy trình"),
    each with its usual length in working days and who carries it."""

    __tablename__ = "process_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    steps: Mapped[list[TemplateStep]] = relationship(
        order_by="TemplateStep.position", cascade="all, delete-orphan", back_populates="template"
    )

    @property
    def total_working_days(self) -> int:
        return sum(step.working_days for step in self.steps)


class TemplateStep(db.Model):
    __tablename__ = "process_template_steps"
    __table_args__ = (sa.UniqueConstraint("template_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        sa.ForeignKey("process_templates.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(sa.Text)
    working_days: Mapped[int] = mapped_column()
    responsible: Mapped[Role] = mapped_column(enum_column(Role, "template_step_role"))
    # The end of this step is proposed as a milestone of the task.
    milestone: Mapped[bool] = mapped_column(default=False)

    template: Mapped[ProcessTemplate] = relationship(back_populates="steps")


_STAGE_OF_STATE = {
    TaskState.DRAFT: Stage.DRAFT,
    TaskState.ISSUED: Stage.AWAITING_ACCEPTANCE,
    TaskState.ACCEPTED: Stage.IN_PROGRESS,
    TaskState.IN_PROGRESS: Stage.IN_PROGRESS,
    TaskState.SUBMITTED: Stage.AWAITING_REVIEW,
    TaskState.COMPLETED: Stage.COMPLETED,
    TaskState.WITHDRAWN: Stage.WITHDRAWN,
}


def stage_of(task: Task) -> Stage:
    """Return where the task is in its life."""
    if task.returned and task.state in (TaskState.ACCEPTED, TaskState.IN_PROGRESS):
        return Stage.RETURNED
    return _STAGE_OF_STATE[TaskState(task.state)]


def stage_clause(stage: Stage) -> sa.ColumnElement[bool]:
    """Return the SQL condition selecting the tasks at a stage (for list filters)."""
    states = [state for state, at in _STAGE_OF_STATE.items() if at == stage]
    if stage == Stage.RETURNED:
        return sa.and_(Task.state.in_(RUNNING_STATES), Task.returned)
    if stage == Stage.IN_PROGRESS:
        return sa.and_(Task.state.in_(states), sa.not_(Task.returned))
    return Task.state.in_(states)
