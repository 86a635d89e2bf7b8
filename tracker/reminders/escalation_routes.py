"""Sở Nội vụ's queue of escalation records, each record, and the conclusion form."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.calendar.services import load_calendar
from tracker.clock import local_date, utcnow
from tracker.extensions import db
from tracker.org.models import Field, Role, Unit, User, UserRole
from tracker.reminders import services
from tracker.tasks.forms import VnDateField
from tracker.web.forms import refusal_shown_on
from tracker.web.templating import PageOf

bp = Blueprint("escalations", __name__, url_prefix="/escalations")


def _choices(labels: dict, prompt) -> list:
    return [("", prompt)] + [(str(k), _l(v)) for k, v in labels.items()]


class ConclusionForm(FlaskForm):
    # Nothing is chosen beforehand: a conclusion of no fault is a decision, not a default.
    outcome = SelectField(
        _l("Kết luận"),
        choices=_choices(services.OUTCOME_LABELS, _l("— Chọn kết luận —")),
        validators=[DataRequired(message=_l("Hãy chọn kết luận."))],
    )
    note = TextAreaField(_l("Nhận xét, căn cứ"), validators=[DataRequired(), Length(max=20000)])
    # A proposal of discipline names these three (Nghị định 172/2025/NĐ-CP).
    discipline_form = SelectField(
        _l("Hình thức kỷ luật đề nghị"),
        choices=_choices(services.DISCIPLINE_FORM_LABELS, "—"),
        validators=[Optional()],
    )
    severity = SelectField(
        _l("Mức độ vi phạm"),
        choices=_choices(services.SEVERITY_LABELS, "—"),
        validators=[Optional()],
    )
    competent_authority = StringField(
        _l("Cấp có thẩm quyền xử lý kỷ luật"), validators=[Optional(), Length(max=255)]
    )
    corrects_id = HiddenField()
    submit = SubmitField(_l("Ghi kết luận"))


class DecisionForm(FlaskForm):
    number = StringField(_l("Số quyết định"), validators=[DataRequired(), Length(max=80)])
    signed_on = VnDateField(_l("Ngày ký"), validators=[InputRequired()])
    form = SelectField(
        _l("Hình thức xử lý"),
        choices=_choices(services.DECISION_LABELS, _l("— Chọn hình thức —")),
        validators=[DataRequired(message=_l("Hãy chọn hình thức xử lý."))],
    )
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=20000)])
    submit = SubmitField(_l("Ghi quyết định"))


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    unit_id = SelectField(
        _l("Đơn vị"), coerce=lambda v: int(v) if v else None, validators=[Optional()]
    )
    field_id = SelectField(
        _l("Lĩnh vực"), coerce=lambda v: int(v) if v else None, validators=[Optional()]
    )
    supervisor_id = SelectField(
        _l("Lãnh đạo phụ trách"), coerce=lambda v: int(v) if v else None, validators=[Optional()]
    )
    status = SelectField(
        _l("Tình trạng"),
        validators=[Optional()],
        choices=[
            ("", "—"),
            ("open", _l("Chưa kết luận")),
            ("concluded", _l("Đã kết luận")),
            (services.DECISION_OVERDUE, _l("Chờ quyết định xử lý quá hạn")),
        ],
    )
    opened_from = VnDateField(_l("Mở từ ngày"), validators=[Optional()])
    opened_to = VnDateField(_l("đến ngày"), validators=[Optional()])


def _filter_choices(form: FilterForm) -> None:
    none = [(None, "—")]
    form.unit_id.choices = none + [
        (u.id, u.name) for u in db.session.scalars(sa.select(Unit).order_by(Unit.name))
    ]
    form.field_id.choices = none + [
        (f.id, f.name) for f in db.session.scalars(sa.select(Field).order_by(Field.name))
    ]
    leaders = db.session.execute(
        sa.select(User.id, User.full_name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.LEADER)
        .order_by(User.full_name)
    )
    form.supervisor_id.choices = none + [(i, n) for i, n in leaders]


@bp.route("")
@login_required
def queue():
    """List the escalation records the person may see, with filters."""
    services.require_queue_access(current_user)
    form = FilterForm(request.args)
    _filter_choices(form)
    if not form.validate():
        for field in form:
            field.data, field.errors = None, []
    filters = services.EscalationFilters(
        unit_id=form.unit_id.data,
        field_id=form.field_id.data,
        supervisor_id=form.supervisor_id.data,
        status=form.status.data or None,
        opened_from=form.opened_from.data,
        opened_to=form.opened_to.data,
        now=utcnow(),
        decision_days=current_app.config["DISCIPLINE_DECISION_DAYS"],
    )
    page = request.args.get("page", 1, type=int)
    rows, total = services.list_escalations(current_user, filters, page=page, per_page=PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "escalations/queue.html",
        form=form,
        rows=rows,
        result=PageOf(page, PER_PAGE, total),
        args=args,
        late_days=services.late_days(rows, load_calendar(), local_date(utcnow())),
        outcomes=services.OUTCOME_LABELS,
    )


PER_PAGE = 30


def _show(escalation, form=None, status=200, decision_form=None):
    notices, updates = services.escalation_evidence(escalation)
    concludes = services.may_conclude(current_user)
    if form is None and concludes:
        form = ConclusionForm(formdata=None)
        if escalation.conclusions:
            form.corrects_id.data = str(escalation.conclusions[-1].id)
    if decision_form is None and concludes and services.awaits_decision(escalation):
        decision_form = DecisionForm(formdata=None)
    return render_template(
        "escalations/detail.html",
        escalation=escalation,
        notices=notices,
        updates=updates,
        form=form,
        outcomes=services.OUTCOME_LABELS,
        discipline_forms=services.DISCIPLINE_FORM_LABELS,
        severities=services.SEVERITY_LABELS,
        decision_form=decision_form,
        decision_labels=services.DECISION_LABELS,
        decision_overdue=services.decision_overdue(
            escalation, local_date(utcnow()), current_app.config["DISCIPLINE_DECISION_DAYS"]
        ),
    ), status


@bp.route("/<int:escalation_id>")
@login_required
def detail(escalation_id: int):
    """Show one record with every notice and the progress reports since the deadline."""
    return _show(services.get_escalation(escalation_id, current_user))


@bp.route("/<int:escalation_id>/conclusion", methods=["POST"])
@login_required
def conclude(escalation_id: int):
    """Record a conclusion (or a correction of the latest one)."""
    escalation = services.get_escalation(escalation_id, current_user, to_conclude=True)
    form = ConclusionForm()
    if not form.validate_on_submit():
        return _show(escalation, form, 422)

    def refused_page():
        return _show(services.get_escalation(escalation_id, current_user), form)

    with refusal_shown_on(None, refused_page):
        services.conclude(
            escalation,
            actor=current_user,
            now=utcnow(),
            outcome=form.outcome.data,
            note=form.note.data,
            corrects_id=int(form.corrects_id.data) if form.corrects_id.data else None,
            proposal=services.DisciplineProposal(
                form.discipline_form.data or None,
                form.severity.data or None,
                form.competent_authority.data,
            ),
        )
    flash(_("Đã ghi kết luận."), "success")
    return redirect(url_for("escalations.detail", escalation_id=escalation.id))


@bp.route("/<int:escalation_id>/decision", methods=["POST"])
@login_required
def record_decision(escalation_id: int):
    """Record the competent authority's decision on the record's proposal."""
    escalation = services.get_escalation(escalation_id, current_user, to_conclude=True)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _show(escalation, status=422, decision_form=form)

    def refused_page():
        found = services.get_escalation(escalation_id, current_user)
        return _show(found, decision_form=form)

    with refusal_shown_on(form, refused_page):
        services.record_decision(
            escalation,
            actor=current_user,
            now=utcnow(),
            number=form.number.data,
            signed_on=form.signed_on.data,
            form=form.form.data,
            note=form.note.data or "",
        )
    flash(_("Đã ghi quyết định xử lý."), "success")
    return redirect(url_for("escalations.detail", escalation_id=escalation.id))
