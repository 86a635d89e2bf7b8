"""What every template may use: dates and figures the reader's way, the pager's page numbers, the
languages and the signed-in person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import Flask
from flask_babel import format_decimal, get_locale
from flask_login import current_user

from tracker.clock import local_zone
from tracker.web.locale import LANGUAGES, select_locale


@dataclass(frozen=True)
class PageOf:
    """Where a page stands in a list: its number, its size and the list's total."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


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


def format_number(value: float | int | None, digits: int = 1) -> str:
    """Format a figure for the reader's language: 1.234,5 in Vietnamese, 1,234.5 in
    English; at most ``digits`` decimals, none shown when they are zeros."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0." + "#" * digits if digits else "#,##0")


def format_percent(value: float | int | None, digits: int = 1) -> str:
    """Format a percentage (already times 100) for the reader's language: "49,5 %" as
    Vietnamese typesetting writes it, "49.5%" in English."""
    if value is None:
        return "—"
    number = format_number(value, digits)
    return f"{number}\u00a0%" if str(get_locale()).startswith("vi") else f"{number}%"


def format_rate(rate: float | None, digits: int = 1) -> str:
    """Format a share between 0 and 1 as a percentage (see format_percent)."""
    return format_percent(None if rate is None else rate * 100, digits)


def _template_context() -> dict:
    return {"languages": LANGUAGES, "current_locale": select_locale(), "user": current_user}


def register_templating(app: Flask) -> None:
    """Add the date filters, the pager and the shared context to every template."""
    app.add_template_global(nearby_pages)
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_moment, "moment")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_percent, "percent")
    app.add_template_filter(format_rate, "rate")
    app.context_processor(_template_context)
