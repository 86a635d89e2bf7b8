"""What every template may use: dates the Vietnamese way, the pager's page numbers, the
languages and the signed-in person."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_login import current_user

from tracker.clock import local_zone
from tracker.web.locale import LANGUAGES, select_locale


def nearby_pages(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Return the page numbers a pager shows: the first, the last and those around this
    one, with None where pages are left out (…)."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def format_day(value: date | datetime | None) -> str:
    """Format a date the Vietnamese way: dd/mm/yyyy (an instant in local time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(local_zone()).date()
    return value.strftime("%d/%m/%Y")


def format_moment(value: datetime | None) -> str:
    """Format an instant in local time: dd/mm/yyyy HH:MM."""
    if value is None:
        return ""
    return value.astimezone(local_zone()).strftime("%d/%m/%Y %H:%M")


def _template_context() -> dict:
    return {"languages": LANGUAGES, "current_locale": select_locale(), "user": current_user}


def register_templating(app: Flask) -> None:
    """Add the date filters, the pager and the shared context to every template."""
    app.add_template_global(nearby_pages)
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_moment, "moment")
    app.context_processor(_template_context)
