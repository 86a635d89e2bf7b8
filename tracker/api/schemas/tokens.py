"""Signing in for a token."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate


class TokenRequest(ma.Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenResponse(ma.Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
