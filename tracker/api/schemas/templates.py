"""Process templates and the plan one gives from a start date."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from tracker.api.schemas.common import DATE, TEXT
from tracker.tasks.services import TEXT_MAX

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
