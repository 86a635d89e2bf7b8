"""What every resource's shapes share: ids, dates in the working calendar, text sizes, the
error body and pages of items.

JSON names are English; dates are ``YYYY-MM-DD``; instants are ISO 8601 in UTC. Input
schemas check types and sizes only — the rules (the 5 rõ gate, who may do what, dates that
must follow one another) stay in the services, the same for the web and the API."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields, validate

from tracker.calendar.services import supported_dates
from tracker.clock import local_date, utcnow
from tracker.tasks.services import TEXT_MAX

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
