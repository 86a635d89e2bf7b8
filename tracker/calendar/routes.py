"""The admin's working-calendar page: public holidays of a year and the overrides."""

from __future__ import annotations

from datetime import date
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.calendar import services
from tracker.calendar.forms import DAY_KIND_LABELS, WEEKDAY_LABELS, OverrideForm
from tracker.calendar.models import DayKind
from tracker.clock import local_date, utcnow
from tracker.errors import NotFound, ValidationError
from tracker.org.permissions import admin_required
from tracker.web.forms import refusal_shown_on

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")

# The years the holiday list can be shown for; beyond them the package's data means little.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _chosen_year() -> int:
    """Return the year asked for in the query string, else the current local year."""
    current = local_date(utcnow()).year
    year = request.args.get("year", current, type=int)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        flash(
            _("Chỉ xem được các năm từ %(first)s đến %(last)s.", first=FIRST_YEAR, last=LAST_YEAR),
            "warning",
        )
        return current
    return year


def _render(form: OverrideForm, status: int = 200):
    """Show the overrides, the chosen year's public days and the form to add an override."""
    year = _chosen_year()
    overrides = services.list_overrides()
    calendar = services.WorkingCalendar()
    return render_template(
        "calendar/overrides.html",
        form=form,
        year=year,
        overrides=overrides,
        overridden={o.day: o for o in overrides},
        public_days=services.public_days(year),
        holiday_name=calendar.holiday_name,
        kind_labels=DAY_KIND_LABELS,
        weekdays=WEEKDAY_LABELS,
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
    ), status


@bp.route("", methods=["GET", "POST"])
@login_required
@admin_required
def overrides():
    """List the overrides and a year's public holidays; add an override."""
    form = OverrideForm()
    if form.validate_on_submit():
        with refusal_shown_on(form, partial(_render, form, 422), show=_show_refusal):
            override = services.set_override(
                form.day.data,
                DayKind(form.kind.data),
                form.note.data or "",
                actor=current_user,
                now=utcnow(),
            )
        flash(
            _(
                "Đã ghi ngày %(day)s là ngày %(kind)s.",
                day=f"{override.day:%d/%m/%Y}",
                kind=DAY_KIND_LABELS[override.kind].lower(),
            ),
            "success",
        )
        return redirect(url_for("calendar.overrides", year=override.day.year))
    return _render(form, 422 if request.method == "POST" else 200)


def _show_refusal(form: OverrideForm, error: ValidationError) -> None:
    """Each reason under its field, and the whole refusal in the banner."""
    for name, reason in error.fields.items():
        if name in form:
            form[name].errors = [*form[name].errors, reason]
    flash(error.message, "danger")


@bp.route("/<day>/remove", methods=["POST"])
@login_required
@admin_required
def remove_override(day: str):
    """Remove an override: the public calendar decides that day again."""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise NotFound(_("Không tìm thấy ngày điều chỉnh.")) from None
    with refusal_shown_on(None, partial(_render, OverrideForm(formdata=None), 422)):
        services.remove_override(parsed, actor=current_user, now=utcnow())
    flash(_("Đã bỏ điều chỉnh ngày %(day)s.", day=f"{parsed:%d/%m/%Y}"), "success")
    return redirect(url_for("calendar.overrides", year=parsed.year))
