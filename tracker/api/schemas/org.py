"""Units, users, the person signed in, fields of work."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from tracker.api.schemas.common import ID_QUERY, PageArgs


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
