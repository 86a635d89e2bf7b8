"""The calendar of deadlines: a month of the person's (or their unit's) due dates."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.clock import today
from tracker.tasks import calendar_view

bp = Blueprint("deadlines", __name__)


@bp.route("/calendar/deadlines")
@login_required
def month():
    """Show a month of deadlines (?month=YYYY-MM&scope=mine|unit); anything else asked
    shows this month, the person's own."""
    now = today()
    asked = request.args.get("month")
    first = calendar_view.parse_month(asked)
    if first is None:
        if asked:
            flash(_("Tháng không hợp lệ; đang xem tháng này."), "warning")
        first = now.replace(day=1)
    scope = calendar_view.parse_scope(request.args.get("scope"), current_user)
    view = calendar_view.month_view(current_user, first, scope, now)
    return render_template(
        "tasks/calendar.html",
        view=view,
        unit_label=calendar_view.unit_scope_label(current_user),
        per_day=calendar_view.PER_DAY,
    )
