"""Admin pages for the ladder: rules of reminders, warnings, urgings; escalation thresholds."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.clock import utcnow
from tracker.extensions import db
from tracker.org.permissions import admin_required
from tracker.reminders import rules
from tracker.reminders.models import ReminderRule
from tracker.web.forms import refusal_shown_on
from tracker.web.transactions import keep_changes

bp = Blueprint("reminder_rules", __name__, url_prefix="/admin/reminders")


class RuleForm(FlaskForm):
    kind = SelectField(
        _l("Loại thông báo"), choices=[(k.value, _l(v)) for k, v in rules.KIND_LABELS.items()]
    )
    offset_days = IntegerField(
        _l("Số ngày làm việc so với hạn"),
        validators=[InputRequired()],
        description=_l(
            "Âm: trước hạn (-5 là 5 ngày làm việc trước hạn); 0: đúng ngày đến hạn; dương: sau hạn."
        ),
    )
    repeat_every = IntegerField(
        _l("Lặp lại sau mỗi (ngày làm việc)"), validators=[Optional(), NumberRange(min=1, max=60)]
    )
    recipients = SelectMultipleField(
        _l("Gửi tới"),
        choices=[(k.value, _l(v)) for k, v in rules.RECIPIENT_LABELS.items()],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    for_milestones = BooleanField(_l("Áp dụng cả cho các mốc tiến độ"))
    active = BooleanField(_l("Đang áp dụng"), default=True)
    submit = SubmitField(_l("Lưu quy tắc"))


class ThresholdForm(FlaskForm):
    overdue_working_days = IntegerField(
        _l("Chuyển Sở Nội vụ khi quá hạn (ngày làm việc)"),
        validators=[InputRequired(), NumberRange(min=1, max=250)],
    )
    unanswered_notices = IntegerField(
        _l("hoặc sau số lần cảnh báo, đôn đốc chưa có báo cáo tiến độ"),
        validators=[InputRequired(), NumberRange(min=1, max=50)],
    )
    submit = SubmitField(_l("Lưu ngưỡng"))


def _page(rule_form=None, threshold_form=None, editing=None, status=200):
    all_rules, settings = rules.list_rules()
    threshold_form = threshold_form or ThresholdForm(formdata=None, obj=settings)
    rule_form = rule_form or RuleForm(formdata=None)
    return render_template(
        "reminders/rules.html",
        rules=all_rules,
        settings=settings,
        rule_form=rule_form,
        threshold_form=threshold_form,
        editing=editing,
        kinds=rules.KIND_LABELS,
        recipient_labels=rules.RECIPIENT_LABELS,
    ), status


@bp.route("", methods=["GET"])
@login_required
@admin_required
def index():
    """Show the ladder's rules and the escalation thresholds."""
    keep_changes()  # the default ladder, created on the first look, is kept
    editing_id = request.args.get("edit", type=int)
    editing = db.session.get(ReminderRule, editing_id) if editing_id else None
    form = None
    if editing is not None:
        form = RuleForm(formdata=None, obj=editing)
        form.kind.data = editing.kind.value
        form.recipients.data = editing.recipients.split(",")
    return _page(rule_form=form, editing=editing)


@bp.route("/rules", methods=["POST"])
@bp.route("/rules/<int:rule_id>", methods=["POST"])
@login_required
@admin_required
def save_rule(rule_id: int | None = None):
    """Create a rule, or change one."""
    rule = db.session.get(ReminderRule, rule_id) if rule_id else None
    if rule_id and rule is None:
        abort(404)
    form = RuleForm()
    if not form.validate_on_submit():
        return _page(rule_form=form, editing=rule, status=422)
    with refusal_shown_on(form, partial(_page, rule_form=form, editing=rule)):
        rules.save_rule(
            rule,
            kind=form.kind.data,
            offset_days=form.offset_days.data,
            repeat_every=form.repeat_every.data,
            recipients=form.recipients.data,
            for_milestones=form.for_milestones.data,
            active=form.active.data,
            actor=current_user,
            now=utcnow(),
        )
    flash(_("Đã lưu quy tắc."), "success")
    return redirect(url_for("reminder_rules.index"))


@bp.route("/thresholds", methods=["POST"])
@login_required
@admin_required
def save_thresholds():
    """Change when an overdue task is escalated to Sở Nội vụ."""
    form = ThresholdForm()
    if not form.validate_on_submit():
        return _page(threshold_form=form, status=422)
    rules.save_escalation_settings(
        overdue_working_days=form.overdue_working_days.data,
        unanswered_notices=form.unanswered_notices.data,
        actor=current_user,
        now=utcnow(),
    )
    flash(_("Đã lưu ngưỡng chuyển hồ sơ."), "success")
    return redirect(url_for("reminder_rules.index"))
