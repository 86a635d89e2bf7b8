"""Pages of recurring tasks: the office sets a series up, sees what comes next, and
pauses, ends or changes it."""

from __future__ import annotations

import json
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.clock import local_date, utcnow
from tracker.extensions import db
from tracker.tasks.clarity import CLARITY_KEYS, CLARITY_LABELS
from tracker.tasks.models import Frequency, TaskSeries
from tracker.tasks.permissions import require_can_create
from tracker.tasks.series import services as recurring
from tracker.tasks.series.forms import EndForm, PauseForm, SeriesForm
from tracker.web.forms import form_status, refusal_shown_on

bp = Blueprint("series", __name__, url_prefix="/series")


@bp.before_request
@login_required
def _office_only():
    require_can_create(current_user)


@bp.route("")
def index():
    """List the recurring tasks with their next deadline."""
    today = local_date(utcnow())
    items = db.session.scalars(db.select(TaskSeries).order_by(TaskSeries.id.desc())).all()
    upcoming = {s.id: recurring.upcoming(s, today, count=1) for s in items}
    return render_template(
        "series/list.html", items=items, upcoming=upcoming, labels=recurring.FREQUENCY_LABELS
    )


def _fill_from(form: SeriesForm, series: TaskSeries) -> None:
    content = json.loads(series.content)
    for name in recurring.CONTENT_FIELDS:
        if name != "process_steps":
            getattr(form, name).data = content[name]
    form.process_steps.data = "\n".join(content["process_steps"])
    form.frequency.data, form.due_rule.data = series.frequency.value, series.due_rule.value
    form.due_day.data, form.due_next_month.data = series.due_day, series.due_next_month
    form.every_working_days.data = series.every_working_days
    form.create_days_ahead.data, form.ends_on.data = series.create_days_ahead, series.ends_on


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Set up a recurring task; with ``?from=<id>``, change that one from a date on."""
    previous = (
        recurring.get_series(request.args.get("from", type=int), current_user)
        if "from" in request.args
        else None
    )
    form = SeriesForm()
    form.add_blank_rows()
    form.load_choices()
    if request.method == "GET" and previous is not None:
        _fill_from(form, previous)
    if form.validate_on_submit():
        now = utcnow()
        with refusal_shown_on(form, partial(_render_form, form, 422)):
            if previous is None:
                made = recurring.create_series(
                    form.to_input(),
                    form.rule(),
                    starts_on=form.starts_on.data,
                    ends_on=form.ends_on.data,
                    actor=current_user,
                    now=now,
                )
            else:
                made = recurring.change_series(
                    previous,
                    form.to_input(),
                    form.rule(),
                    effective_from=form.starts_on.data,
                    actor=current_user,
                    now=now,
                )
        flash(_("Đã lưu nhiệm vụ định kỳ."), "success")
        return redirect(url_for("series.detail", series_id=made.id))
    return _render_form(form, form_status())


def _render_form(form, status):
    return render_template(
        "tasks/form.html",
        form=form,
        task=None,
        parent=None,
        recurring=True,
        checklist=None,
        clarity_keys=CLARITY_KEYS,
        clarity_labels=CLARITY_LABELS,
    ), status


@bp.route("/<int:series_id>")
def detail(series_id: int):
    """A series: its rule, the next occurrences, the tasks made, its history."""
    found = recurring.get_series(series_id, current_user)
    today = local_date(utcnow())
    return render_template(
        "series/detail.html",
        series=found,
        upcoming=recurring.upcoming(found, today),
        tasks=recurring.occurrences_of(found),
        chain=recurring.series_chain(found),
        labels=recurring.FREQUENCY_LABELS,
        working_days=Frequency.WORKING_DAYS,
        end_form=EndForm(formdata=None),
        pause_form=PauseForm(),
    )


@bp.route("/<int:series_id>/pause/<int:paused>", methods=["POST"])
def pause(series_id: int, paused: int):
    """Pause (1) or resume (0) a series."""
    found = recurring.get_series(series_id, current_user)
    if PauseForm().validate_on_submit():
        recurring.set_paused(found, bool(paused), actor=current_user, now=utcnow())
        flash(_("Đã tạm dừng.") if paused else _("Đã tiếp tục."), "success")
    return redirect(url_for("series.detail", series_id=series_id))


@bp.route("/<int:series_id>/end", methods=["POST"])
def end(series_id: int):
    """End a series after a date."""
    found = recurring.get_series(series_id, current_user)
    form = EndForm()
    if form.validate_on_submit() and form.ends_on.data:
        recurring.end_series(found, form.ends_on.data, actor=current_user, now=utcnow())
        flash(_("Đã đặt ngày kết thúc."), "success")
    else:
        flash(_("Hãy nhập ngày kết thúc hợp lệ."), "danger")
    return redirect(url_for("series.detail", series_id=series_id))
