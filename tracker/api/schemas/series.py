"""Recurring tasks: a series, its rule, its occurrences."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from tracker.api.schemas.common import DATE
from tracker.api.schemas.tasks import TaskIn


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
