"""The API's shapes: what comes in (validated by webargs) and what goes out (documented in
the OpenAPI description). JSON names are English; dates are ``YYYY-MM-DD``; instants are
ISO 8601 in UTC.

Input schemas check types and sizes only — the rules (the 5 rõ gate, who may do what,
dates that must follow one another) stay in the services, the same for the web and the API.
"""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields, validate

from tracker.calendar.services import supported_dates
from tracker.clock import local_date, utcnow
from tracker.reminders.models import Outcome
from tracker.tasks.models import Priority, TaskState
from tracker.tasks.services import MAX_WORKING_DAYS, TEXT_MAX, TITLE_MAX

# Ids are 32-bit in the database; anything larger cannot name a row.
ID_RANGE = validate.Range(min=1, max=2**31 - 1)
ID = {"strict": True, "validate": ID_RANGE}  # in JSON bodies: a number, not "12"
ID_QUERY = {"validate": ID_RANGE}  # in query strings everything is text


def _in_calendar(day: date) -> None:
    """Deadlines and report dates fall in the years the working-day calendar covers."""
    first, last = supported_dates(local_date(utcnow()))
    if not first <= day <= last:
        raise ma.ValidationError(
            _("Ngày phải trong khoảng %(first)s – %(last)s.", first=first, last=last)
        )


DATE = {"validate": _in_calendar}
# A directive's date of issue may be older than the calendar; only keep it plausible.
ISSUE_DATE = {"validate": validate.Range(min=date(1945, 9, 2), max=date(2999, 12, 31))}
TEXT = {"validate": validate.Length(max=TEXT_MAX), "load_default": ""}


class Error(ma.Schema):
    error = fields.String(required=True, metadata={"description": "stable code"})
    message = fields.String(required=True, metadata={"description": "text for people"})
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "what is wrong with each field"},
    )
    missing = fields.List(
        fields.String(), metadata={"description": "the missing 'rõ' (5 rõ gate only)"}
    )


def page_of(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """Return the schema of a page of items: ``{"items", "total", "page", "per_page"}``."""
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
        },
        name=name,
    )


class PageArgs(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


# ------------------------------------------------------------------ sign-in


class TokenRequest(ma.Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenResponse(ma.Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


# ------------------------------------------------------------------ organisation


class UnitOut(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    parent_id = fields.Integer(allow_none=True)
    head_id = fields.Integer(allow_none=True)
    active = fields.Boolean(required=True)


class UserOut(ma.Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    unit_id = fields.Integer(required=True)
    position = fields.String(allow_none=True)
    roles = fields.Method("role_names", required=True)
    active = fields.Boolean(required=True)

    def role_names(self, user) -> list[str]:
        return sorted(role.value for role in user.roles)


class MeOut(UserOut):
    email = fields.String(allow_none=True)
    email_mode = fields.String(required=True)


class UserArgs(PageArgs):
    unit_id = fields.Integer(**ID_QUERY)


class FieldOut(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    leader_id = fields.Integer(allow_none=True)


# ------------------------------------------------------------------ documents


class DocumentIn(ma.Schema):
    number = fields.String(required=True, validate=validate.Length(max=80))
    kind = fields.String(required=True, validate=validate.Length(max=80))
    issuer = fields.String(required=True, validate=validate.Length(max=255))
    issued_on = fields.Date(required=True, **ISSUE_DATE)
    summary = fields.String(**TEXT)


class DocumentOut(ma.Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    kind = fields.String(required=True)
    issuer = fields.String(required=True)
    issued_on = fields.Date(required=True)
    summary = fields.String(required=True)
    created_at = fields.DateTime(required=True)


# ------------------------------------------------------------------ tasks


class CoordinationIn(ma.Schema):
    unit_id = fields.Integer(required=True, **ID)
    responsibility = fields.String(validate=validate.Length(max=2000), load_default="")


class MilestoneIn(ma.Schema):
    title = fields.String(required=True, validate=validate.Length(max=TITLE_MAX))
    due_date = fields.Date(required=True, **DATE)


class TaskIn(ma.Schema):
    """A draft may leave any "rõ" open; the gate at issue names what is missing."""

    title = fields.String(validate=validate.Length(max=TITLE_MAX), load_default="")
    description = fields.String(**TEXT)
    document_id = fields.Integer(allow_none=True, load_default=None, **ID)
    field_id = fields.Integer(allow_none=True, load_default=None, **ID)
    lead_unit_id = fields.Integer(allow_none=True, load_default=None, **ID)
    accountable_user_id = fields.Integer(allow_none=True, load_default=None, **ID)
    assignee_user_id = fields.Integer(allow_none=True, load_default=None, **ID)
    supervisor_user_id = fields.Integer(allow_none=True, load_default=None, **ID)
    coordinating_units = fields.List(
        fields.Nested(CoordinationIn), validate=validate.Length(max=100), load_default=list
    )
    start_date = fields.Date(allow_none=True, load_default=None, **DATE)
    due_date = fields.Date(allow_none=True, load_default=None, **DATE)
    due_in_working_days = fields.Integer(
        allow_none=True,
        load_default=None,
        strict=True,
        validate=validate.Range(min=1, max=MAX_WORKING_DAYS),
    )
    milestones = fields.List(
        fields.Nested(MilestoneIn), validate=validate.Length(max=100), load_default=list
    )
    process_steps = fields.List(
        fields.String(validate=validate.Length(max=TEXT_MAX)),
        validate=validate.Length(max=100),
        load_default=list,
    )
    expected_outcome = fields.String(**TEXT)
    target = fields.String(**TEXT)
    priority = fields.Enum(Priority, by_value=True, load_default=Priority.NORMAL)


class SubtaskIn(TaskIn):
    weight = fields.Integer(
        load_default=1,
        strict=True,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "share of the parent's rolled-up progress"},
    )


class TaskGroupIn(TaskIn):
    unit_ids = fields.List(
        fields.Integer(strict=True, validate=ID_RANGE),
        required=True,
        validate=validate.Length(min=2, max=1000),
        metadata={"description": "one task each; the unit's head is accountable"},
    )
    parent_task_id = fields.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": "give them as sub-tasks of this task (its lead unit's head)"},
        **ID,
    )


class TaskGroupOut(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    received = fields.Integer(required=True)
    accepted = fields.Integer(required=True)
    done = fields.Integer(required=True)
    done_on_time = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    task_ids = fields.List(fields.Integer(), required=True)


class TaskPatch(TaskIn):
    """The fields given replace the task's; those left out keep their values."""

    version = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "the version read; a stale one is refused with 409"},
    )


class CoordinationOut(ma.Schema):
    unit_id = fields.Integer(required=True)
    responsibility = fields.String(required=True)


class MilestoneOut(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    due_date = fields.Date(required=True)
    completed_on = fields.Date(allow_none=True)


class ExtensionRequestOut(ma.Schema):
    id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    status = fields.String(required=True)
    current_due_date = fields.Date(required=True)
    new_due_date = fields.Date(required=True)
    reason = fields.String(required=True)
    requested_by_id = fields.Integer(required=True)
    requested_at = fields.DateTime(required=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String(required=True)


class TaskOut(ma.Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"enum": [s.value for s in TaskState]})
    category = fields.String(required=True)
    due_soon = fields.Boolean(required=True)
    missing = fields.List(
        fields.String(), required=True, metadata={"description": "the 'rõ' still unclear"}
    )
    allowed_actions = fields.List(fields.String(), required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    document_id = fields.Integer(allow_none=True)
    field_id = fields.Integer(allow_none=True)
    lead_unit_id = fields.Integer(allow_none=True)
    accountable_user_id = fields.Integer(allow_none=True)
    assignee_user_id = fields.Integer(allow_none=True)
    supervisor_user_id = fields.Integer(allow_none=True, attribute="supervisor_id")
    coordinating_units = fields.List(
        fields.Nested(CoordinationOut), attribute="coordinations", required=True
    )
    start_date = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    due_in_working_days = fields.Integer(allow_none=True)
    original_due_date = fields.Date(allow_none=True)
    milestones = fields.List(fields.Nested(MilestoneOut), required=True)
    process_steps = fields.Method("step_texts", required=True)
    expected_outcome = fields.String(required=True)
    target = fields.String(required=True)
    priority = fields.String(required=True)
    progress_percent = fields.Integer(required=True)
    last_progress_at = fields.DateTime(allow_none=True)
    issued_at = fields.DateTime(allow_none=True)
    issued_on = fields.Date(allow_none=True)
    submitted_on = fields.Date(allow_none=True)
    result = fields.String(attribute="result_summary", required=True)
    completed_on = fields.Date(allow_none=True)
    withdrawn_on = fields.Date(allow_none=True)
    withdrawal_reason = fields.String(required=True)
    extension_requests = fields.List(fields.Nested(ExtensionRequestOut), required=True)
    parent_id = fields.Integer(allow_none=True)
    weight = fields.Integer(required=True)
    subtask_ids = fields.Method("subtask_id_list", required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)

    def step_texts(self, task) -> list[str]:
        return [step.description for step in task.process_steps]

    def subtask_id_list(self, task) -> list[int]:
        return [sub.id for sub in task.subtasks]


class TaskArgs(PageArgs):
    category = fields.String(
        validate=validate.OneOf(
            ["draft", "on_track", "overdue", "done_on_time", "done_late", "withdrawn"]
        )
    )
    lead_unit_id = fields.Integer(**ID_QUERY)
    field_id = fields.Integer(**ID_QUERY)
    document_id = fields.Integer(**ID_QUERY)
    due_before = fields.Date(**DATE)
    due_after = fields.Date(**DATE)
    q = fields.String(validate=validate.Length(max=200), load_default="")
    as_of = fields.Date(**DATE)


class WithdrawIn(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))


class AcceptIn(ma.Schema):
    assignee_user_id = fields.Integer(allow_none=True, load_default=None, **ID)


class ProgressIn(ma.Schema):
    percent = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    note = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))
    difficulties = fields.String(**TEXT)
    proposals = fields.String(**TEXT)


class SubmitIn(ma.Schema):
    result = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))


class ReviewIn(ma.Schema):
    accept = fields.Boolean(required=True, truthy={True}, falsy={False})
    note = fields.String(**TEXT)


class ExtensionIn(ma.Schema):
    new_due_date = fields.Date(required=True, **DATE)
    reason = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))


class DecisionIn(ma.Schema):
    approve = fields.Boolean(required=True, truthy={True}, falsy={False})
    note = fields.String(**TEXT)


class ExtensionDecided(ExtensionRequestOut):
    task = fields.Nested(TaskOut, required=True)


class HistoryEventOut(ma.Schema):
    seq = fields.Integer(required=True)
    occurred_at = fields.DateTime(required=True)
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String(required=True, attribute="actor_name")
    action = fields.String(required=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


# ------------------------------------------------------------------ notifications, escalations


class NotificationOut(ma.Schema):
    id = fields.Integer(required=True)
    task_id = fields.Integer(allow_none=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    link = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)


class EscalationArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["open", "concluded"]))
    unit_id = fields.Integer(**ID_QUERY)


class ConclusionOut(ma.Schema):
    id = fields.Integer(required=True)
    outcome = fields.String(required=True)
    note = fields.String(required=True)
    concluded_by_id = fields.Integer(required=True)
    concluded_at = fields.DateTime(required=True)
    corrects_id = fields.Integer(allow_none=True)


class EscalationOut(ma.Schema):
    id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    deadline = fields.Date(required=True)
    reason = fields.String(required=True)
    overdue_days = fields.Integer(required=True)
    notices_before = fields.Integer(required=True)
    opened_at = fields.DateTime(required=True)
    status = fields.String(required=True)
    lead_unit_id = fields.Integer(allow_none=True)
    accountable_user_id = fields.Integer(allow_none=True)
    unit_head_id = fields.Integer(allow_none=True)
    supervisor_id = fields.Integer(allow_none=True)
    conclusions = fields.List(fields.Nested(ConclusionOut), required=True)


class ConclusionIn(ma.Schema):
    outcome = fields.String(
        required=True,
        metadata={"enum": [o.value for o in Outcome]},
        validate=validate.Length(max=40),
    )
    note = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))
    corrects_id = fields.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": "the conclusion this one corrects (the latest)"},
        **ID,
    )


# ------------------------------------------------------------------ reports


class ReportArgs(ma.Schema):
    as_of = fields.Date(**DATE)
    include_subtasks = fields.Boolean(
        load_default=True,
        metadata={"description": "false: only the tasks given by the level above"},
    )
    from_ = fields.Date(data_key="from", **DATE)
    to = fields.Date(**DATE)


class FiguresOut(ma.Schema):
    total = fields.Integer(required=True)
    on_track = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    done_on_time = fields.Integer(required=True)
    done_late = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)
    due_soon = fields.Integer(required=True)
    stale = fields.Integer(required=True)
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "0–1, or null"})


class UnitFiguresOut(FiguresOut):
    unit_id = fields.Integer(required=True)
    unit_code = fields.String(required=True)
    unit_name = fields.String(required=True)
    received = fields.Integer(
        allow_none=True, metadata={"description": "tasks issued in the period"}
    )


class UnitReportOut(ma.Schema):
    as_of = fields.Date(required=True)
    from_ = fields.Date(data_key="from", allow_none=True)
    to = fields.Date(allow_none=True)
    total = fields.Nested(FiguresOut, required=True)
    units = fields.List(fields.Nested(UnitFiguresOut), required=True)


# ------------------------------------------------------------------ process templates

RESPONSIBLE_ROLES = ["staff", "unit_head", "assigner", "leader"]


class TemplateStepIn(ma.Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=TEXT_MAX))
    working_days = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=250)
    )
    responsible = fields.String(load_default="staff", validate=validate.OneOf(RESPONSIBLE_ROLES))
    milestone = fields.Boolean(load_default=False, truthy={True}, falsy={False})


class TemplateStepOut(ma.Schema):
    position = fields.Integer(required=True)
    description = fields.String(required=True)
    working_days = fields.Integer(required=True)
    responsible = fields.String(required=True)
    milestone = fields.Boolean(required=True)


class TemplateIn(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(**TEXT)
    active = fields.Boolean(load_default=True, truthy={True}, falsy={False})
    steps = fields.List(
        fields.Nested(TemplateStepIn), required=True, validate=validate.Length(min=2, max=50)
    )


class TemplateOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    active = fields.Boolean(required=True)
    total_working_days = fields.Integer(required=True)
    steps = fields.List(fields.Nested(TemplateStepOut), required=True)


class PlanArgs(ma.Schema):
    start_date = fields.Date(required=True, **DATE)


class MilestonePlanOut(ma.Schema):
    title = fields.String(required=True)
    due_date = fields.Date(required=True)


class PlanOut(ma.Schema):
    process_steps = fields.List(fields.String(), required=True)
    milestones = fields.List(fields.Nested(MilestonePlanOut), required=True)
    due_date = fields.Date(required=True)


# ------------------------------------------------------------------ recurring tasks


class RuleIn(ma.Schema):
    frequency = fields.String(
        required=True,
        validate=validate.OneOf(["monthly", "quarterly", "half_yearly", "yearly", "working_days"]),
    )
    due_rule = fields.String(
        load_default="calendar_day", validate=validate.OneOf(["calendar_day", "working_day"])
    )
    due_day = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=31))
    due_next_month = fields.Boolean(load_default=False, truthy={True}, falsy={False})
    every_working_days = fields.Integer(
        allow_none=True, load_default=None, strict=True, validate=validate.Range(min=1, max=250)
    )
    create_days_ahead = fields.Integer(
        load_default=7, strict=True, validate=validate.Range(min=0, max=60)
    )


DATED = ("start_date", "due_date", "due_in_working_days", "milestones")


class SeriesIn(TaskIn):
    """The occurrences' 5 rõ (without dates: each period gives its own) and the rule."""

    class Meta:
        exclude = DATED

    rule = fields.Nested(RuleIn, required=True)
    starts_on = fields.Date(required=True, **DATE)
    ends_on = fields.Date(allow_none=True, load_default=None, **DATE)


class SeriesChangeIn(TaskIn):
    class Meta:
        exclude = DATED

    rule = fields.Nested(RuleIn, required=True)
    effective_from = fields.Date(required=True, **DATE)


class EndIn(ma.Schema):
    ends_on = fields.Date(required=True, **DATE)


class OccurrenceOut(ma.Schema):
    period_start = fields.Date(required=True)
    start_date = fields.Date(required=True)
    due_date = fields.Date(required=True)
    create_on = fields.Date(required=True)


class SeriesOut(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    frequency = fields.String(required=True)
    due_rule = fields.String(required=True)
    due_day = fields.Integer(required=True)
    due_next_month = fields.Boolean(required=True)
    every_working_days = fields.Integer(allow_none=True)
    create_days_ahead = fields.Integer(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True)
    paused = fields.Boolean(required=True)
    previous_id = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    upcoming = fields.List(fields.Nested(OccurrenceOut), required=True)
    task_ids = fields.List(fields.Integer(), required=True)
