"""Following up: notifications, escalation records and their conclusions, reports by unit."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from marshmallow import fields, validate

from tracker.api.schemas.common import DATE, ID, ID_QUERY, PageArgs
from tracker.clock import local_date, utcnow
from tracker.reminders import services as escalation_services
from tracker.reminders.models import DisciplineForm, Outcome, Severity
from tracker.tasks.pending import Needed
from tracker.tasks.services import TEXT_MAX


class NotificationOut(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(
        required=True,
        metadata={
            "description": "task.issued, task.accepted, extension.requested, "
            "extension.decided, task.submitted, task.returned, task.completed, "
            "task.withdrawn, comment.added, reminder, warning, urging, escalation"
        },
    )
    task_id = fields.Integer(allow_none=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    link = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)


class EscalationArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["open", "concluded", "decision_overdue"]))
    unit_id = fields.Integer(**ID_QUERY)


class ConclusionOut(ma.Schema):
    id = fields.Integer(required=True)
    outcome = fields.String(required=True)
    note = fields.String(required=True)
    concluded_by_id = fields.Integer(required=True)
    concluded_at = fields.DateTime(required=True)
    corrects_id = fields.Integer(allow_none=True)
    discipline_form = fields.String(allow_none=True)
    severity = fields.String(allow_none=True)
    competent_authority = fields.String(allow_none=True)


class AuthorityDecisionOut(ma.Schema):
    number = fields.String(required=True)
    signed_on = fields.Date(required=True)
    form = fields.String(required=True)
    note = fields.String(required=True)
    recorded_by_id = fields.Integer(required=True)
    recorded_at = fields.DateTime(required=True)


class AuthorityDecisionIn(ma.Schema):
    number = fields.String(required=True, validate=validate.Length(min=1, max=80))
    signed_on = fields.Date(required=True, **DATE)
    form = fields.String(
        required=True,
        validate=validate.Length(max=30),
        metadata={"enum": [f.value for f in DisciplineForm] + ["none"]},
    )
    note = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX))


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
    decision = fields.Nested(AuthorityDecisionOut, allow_none=True)
    decision_overdue = fields.Method(
        "_decision_overdue",
        metadata={
            "type": "boolean",
            "description": "a proposal waiting longer than DISCIPLINE_DECISION_DAYS for the "
            "competent authority's decision",
        },
    )

    def _decision_overdue(self, escalation) -> bool:
        return escalation_services.decision_overdue(
            escalation,
            local_date(utcnow()),
            current_app.config["DISCIPLINE_DECISION_DAYS"],
        )


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
    # Required with ``discipline`` (Nghị định 172/2025/NĐ-CP).
    discipline_form = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=30),
        metadata={"enum": [f.value for f in DisciplineForm]},
    )
    severity = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=30),
        metadata={"enum": [s.value for s in Severity]},
    )
    competent_authority = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=255)
    )


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


class PendingOut(ma.Schema):
    task_id = fields.Integer(required=True, attribute="task.id")
    needed = fields.String(
        required=True,
        validate=validate.OneOf([n.value for n in Needed]),
        metadata={"description": ", ".join(n.value for n in Needed)},
    )
    since = fields.DateTime(required=True)


class PendingList(ma.Schema):
    items = fields.List(fields.Nested(PendingOut), required=True)
