"""Oversight pages: the dashboard, unit and person scorecards, briefing lists, exports."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from tracker.clock import local_date, utcnow
from tracker.extensions import db
from tracker.inspections.permissions import may_list
from tracker.org.models import Unit, User
from tracker.org.permissions import get_unit, get_user, may_administer
from tracker.oversight import exports, notice_log, reports
from tracker.oversight.audit_queries import may_read_audit
from tracker.oversight.permissions import may_oversee, may_read_notice_log, require_oversight
from tracker.reminders.services import OUTCOME_LABELS, may_follow_escalations
from tracker.tasks import queries
from tracker.tasks.classification import CATEGORY_LABELS, as_of
from tracker.tasks.forms import FilterForm, VnDateField
from tracker.tasks.models import Task
from tracker.tasks.permissions import may_create
from tracker.web.templating import PageOf
from tracker.web.xlsx import download

bp = Blueprint("oversight", __name__, url_prefix="/oversight")

MAX_EXPORT_ROWS = 50_000


class DayForm(FlaskForm):
    class Meta:
        csrf = False

    as_of = VnDateField(_l("Số liệu tính đến ngày"), validators=[Optional()])
    stale_days = IntegerField(
        _l("Coi là không cập nhật sau (ngày)"), validators=[Optional(), NumberRange(min=1, max=365)]
    )
    top_level = BooleanField(_l("Không tính nhiệm vụ con"))


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    start = VnDateField(_l("Từ ngày"), validators=[Optional()])
    end = VnDateField(_l("Đến ngày"), validators=[Optional()])


class QuarterForm(FlaskForm):
    class Meta:
        csrf = False

    year = IntegerField(_l("Năm"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    quarter = SelectField(
        _l("Quý"),
        choices=[("1", "I"), ("2", "II"), ("3", "III"), ("4", "IV")],
        validators=[Optional()],
    )


@bp.app_context_processor
def _menu() -> dict:
    """What the navigation offers, asked of each feature's permission rules."""
    if not current_user.is_authenticated:
        return {"menu": {}}
    user = current_user
    return {
        "menu": {
            "create": may_create(user),
            "oversee": may_oversee(user),
            "escalations": may_follow_escalations(user),
            "inspections": may_list(user),
            "audit": may_read_audit(user),
            "notice_log": may_read_notice_log(user),
            "admin": may_administer(user),
        }
    }


def _today() -> date:
    return local_date(utcnow())


def _valid(form: FlaskForm) -> FlaskForm:
    """Drop any filter that is not valid rather than fail the whole report."""
    if not form.validate():
        for field in form:
            if field.errors:
                field.data, field.errors = None, []
    return form


def _show(field, value) -> None:
    """Put the value the report uses into a filter, so the page shows that, not what was
    typed (a date outside the calendar falls back to today)."""
    field.data, field.raw_data = value, None


def _day_form() -> tuple[DayForm, date, int]:
    """Read the report date (today by default) and the not-updated threshold."""
    form = _valid(DayForm(request.args))
    _show(form.as_of, form.as_of.data or _today())
    _show(form.stale_days, form.stale_days.data or reports.DEFAULT_STALE_DAYS)
    return form, form.as_of.data, form.stale_days.data


def _period(form: PeriodForm) -> tuple[date, date]:
    end = form.end.data or _today()
    start = form.start.data or date(end.year, 1, 1)
    if start > end:
        start, end = end, start
    _show(form.start, start)
    _show(form.end, end)
    return start, end


def _wants_excel() -> bool:
    return request.args.get("format") == "xlsx"


@bp.route("")
@login_required
def dashboard():
    """Show the figures as of a date, city-wide and per unit, field and document."""
    require_oversight(current_user)
    form, day, stale_days = _day_form()
    excel = _wants_excel()
    report = reports.dashboard(
        current_user,
        day,
        stale_days,
        top_level=bool(form.top_level.data),
        # The page shows the documents that need attention; the workbook has them all.
        documents=None if excel else reports.DOCUMENTS_SHOWN,
    )
    if excel:
        return download(exports.dashboard_sheets(report), f"tong-hop-{day:%Y%m%d}.xlsx")
    return render_template(
        "oversight/dashboard.html", report=report, form=form, labels=CATEGORY_LABELS
    )


@bp.route("/units")
@login_required
def units():
    """Rank the units by their on-time rate for the tasks they received in a period."""
    require_oversight(current_user)
    form = _valid(PeriodForm(request.args))
    start, end = _period(form)
    if _wants_excel():
        rows = reports.unit_ranking(current_user, start, end)
        return download(
            exports.ranking_sheets(rows, start, end, OUTCOME_LABELS),
            f"xep-hang-don-vi-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
        )
    min_due = current_app.config["RANKING_MIN_TASKS"]
    return render_template(
        "oversight/units.html",
        groups=reports.ranking_groups(current_user, start, end, min_due),
        min_due=min_due,
        form=form,
        outcomes=OUTCOME_LABELS,
    )


@bp.route("/units/<int:unit_id>")
@login_required
def unit(unit_id: int):
    """Show one unit's scorecard for a period and that of each official who answers for tasks."""
    require_oversight(current_user)
    found = get_unit(unit_id)
    form = _valid(PeriodForm(request.args))
    start, end = _period(form)
    score = reports.scorecards(current_user, start, end, only=unit_id).get(unit_id)
    people = reports.people_of_unit(current_user, unit_id, start, end)
    if _wants_excel():
        sheets = exports.unit_sheets(found, score, people, start, end, OUTCOME_LABELS)
        return download(sheets, f"don-vi-{found.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
    return render_template(
        "oversight/unit.html",
        unit=found,
        score=score,
        people=people,
        form=form,
        outcomes=OUTCOME_LABELS,
    )


@bp.route("/people/<int:user_id>")
@login_required
def person(user_id: int):
    """Show the scorecard of one accountable official for a period."""
    require_oversight(current_user)
    found = get_user(user_id)
    form = _valid(PeriodForm(request.args))
    start, end = _period(form)
    score = reports.scorecards(
        current_user, start, end, group=Task.accountable_user_id, only=user_id
    ).get(user_id)
    if _wants_excel():
        sheets = exports.person_sheets(found, score, start, end, OUTCOME_LABELS)
        return download(sheets, f"ca-nhan-{found.username}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
    return render_template(
        "oversight/person.html", person=found, score=score, form=form, outcomes=OUTCOME_LABELS
    )


@bp.route("/briefing")
@login_required
def briefing():
    """List the overdue and not-updated tasks for the weekly meeting, by supervising leader."""
    require_oversight(current_user)
    form, day, stale_days = _day_form()
    excel = _wants_excel()
    # The page shows each leader the longest overdue tasks; the workbook has every one.
    limit = None if excel else reports.BRIEFING_ROWS
    groups = reports.weekly_briefing(current_user, day, stale_days, limit=limit)
    if excel:
        return download(exports.briefing_sheets(groups, day), f"giao-ban-{day:%Y%m%d}.xlsx")
    return render_template(
        "oversight/briefing.html", groups=groups, form=form, day=day, labels=CATEGORY_LABELS
    )


@bp.route("/slow-units")
@login_required
def slow_units():
    """List the units with late work in a quarter, the slowest first."""
    require_oversight(current_user)
    form = _valid(QuarterForm(request.args))
    today = _today()
    year = form.year.data or today.year
    quarter = int(form.quarter.data or (today.month - 1) // 3 + 1)
    form.year.data, form.quarter.data = year, str(quarter)
    rows = reports.slow_units(current_user, year, quarter)
    start, end = reports.quarter_bounds(year, quarter)
    if _wants_excel():
        sheets = exports.ranking_sheets(rows, start, end, OUTCOME_LABELS)
        sheets[0].title = f"Đơn vị chậm quý {quarter}-{year}"
        return download(sheets, f"don-vi-cham-q{quarter}-{year}.xlsx")
    return render_template(
        "oversight/slow_units.html",
        rows=rows,
        form=form,
        start=start,
        end=end,
        quarter=quarter,
        year=year,
        outcomes=OUTCOME_LABELS,
    )


@bp.route("/tasks.xlsx")
@login_required
def task_export():
    """Export the task list with the same filters as the list page, as a workbook."""
    require_oversight(current_user)
    form = FilterForm(request.args)
    form.load_choices()
    _valid(form)
    day = _today()
    found = queries.search_tasks(
        current_user, form.to_filters(), as_of(day), page=1, per_page=MAX_EXPORT_ROWS
    )
    return download(exports.task_sheets(found.rows, day), f"nhiem-vu-{day:%Y%m%d}.xlsx")


def _optional_id(value) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class NoticeLogForm(PeriodForm):
    unit_id = SelectField(_l("Đơn vị chủ trì"), coerce=_optional_id, validators=[Optional()])
    user_id = SelectField(_l("Người nhận"), coerce=_optional_id, validators=[Optional()])
    kind = SelectField(_l("Loại thông báo"), validators=[Optional()])

    def load_choices(self) -> None:
        """The units and the active people by name (one query each), and the kinds."""
        every = [(None, _l("Tất cả"))]
        units = db.session.execute(sa.select(Unit.id, Unit.name).order_by(Unit.name))
        self.unit_id.choices = every + [(i, name) for i, name in units]
        people = db.session.execute(
            sa.select(User.id, User.full_name, Unit.name)
            .join(Unit, Unit.id == User.unit_id)
            .where(User.active)
            .order_by(User.full_name, User.id)
        )
        self.user_id.choices = every + [(i, f"{name} — {unit}") for i, name, unit in people]
        self.kind.choices = [("", _l("Tất cả"))] + list(notice_log.LOG_KINDS.items())


@bp.route("/notices")
@login_required
def notices():
    """The log of every reminder, warning, urging and escalation sent, with filters and an
    Excel export (Sở Nội vụ, the office, admins)."""
    if not may_read_notice_log(current_user):
        abort(403)
    form = NoticeLogForm(request.args)
    form.load_choices()
    _valid(form)
    filters = notice_log.LogFilters(
        unit_id=form.unit_id.data,
        user_id=form.user_id.data,
        kind=form.kind.data or None,
        start=form.start.data,
        end=form.end.data,
    )
    if _wants_excel():
        rows = notice_log.log_rows(filters, MAX_EXPORT_ROWS)
        return download(exports.notice_log_sheets(rows), f"nhat-ky-nhac-han-{_today():%Y%m%d}.xlsx")
    page = request.args.get("page", 1, type=int)
    rows, total = notice_log.log_page(filters, page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "oversight/notices.html",
        form=form,
        rows=rows,
        result=PageOf(page, notice_log.PER_PAGE, total),
        args=args,
        kinds=notice_log.LOG_KINDS,
    )
