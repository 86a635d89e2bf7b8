"""Inspection pages: the list, recording an inspection and its findings, and turning a
finding into a follow-up task.

Routes parse the form, call one service and render or redirect; the rules live in
tracker/oversight/inspections.py and, for the follow-up task, in the task services.
"""

from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from tracker.calendar.services import load_calendar
from tracker.clock import local_date, utcnow
from tracker.extensions import db
from tracker.org.models import Unit
from tracker.oversight import inspections as service
from tracker.tasks.classification import CATEGORY_LABELS, AsOf
from tracker.tasks.forms import CLARITY_FIELDS, TaskForm, VnDateField
from tracker.tasks.services import TaskInput
from tracker.web.forms import form_status, refusal_shown_on

bp = Blueprint("inspections", __name__, url_prefix="/inspections")


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _kind_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(k.value, label) for k, label in service.KIND_LABELS.items()]


def _unit_choices() -> list[tuple[int | None, str]]:
    units = db.session.scalars(sa.select(Unit).where(Unit.active).order_by(Unit.name))
    return [(None, "—")] + [(u.id, u.name) for u in units]


class InspectionForm(FlaskForm):
    kind = SelectField(_l("Hình thức kiểm tra"), validators=[Optional()])
    unit_id = SelectField(_l("Đơn vị được kiểm tra"), coerce=_optional_int)
    inspected_on = VnDateField(_l("Ngày kiểm tra"), validators=[Optional()])
    team = TextAreaField(
        _l("Đoàn kiểm tra"),
        validators=[Length(max=20000)],
        description=_l("Họ tên, chức vụ các thành viên; mỗi dòng một người."),
    )
    summary = TextAreaField(_l("Phạm vi, nội dung kiểm tra"), validators=[Length(max=20000)])
    document_id = SelectField(_l("Căn cứ (kế hoạch, văn bản chỉ đạo)"), coerce=_optional_int)
    submit = SubmitField(_l("Ghi nhận đợt kiểm tra"))

    def load_choices(self) -> None:
        """Fill the drop-down lists (one query each)."""
        self.kind.choices = _kind_choices("—")
        self.unit_id.choices = _unit_choices()
        helper = TaskForm(meta={"csrf": False}, formdata=None)
        helper.load_choices()
        self.document_id.choices = helper.document_id.choices

    def to_input(self) -> service.InspectionInput:
        """Return what the inspector typed as service input."""
        return service.InspectionInput(
            kind=self.kind.data or None,
            unit_id=self.unit_id.data,
            inspected_on=self.inspected_on.data,
            team=self.team.data or "",
            summary=self.summary.data or "",
            document_id=self.document_id.data,
        )


class FindingForm(FlaskForm):
    text = TextAreaField(_l("Nội dung kết luận (tồn tại, hạn chế)"), validators=[Length(max=20000)])
    recommendation = TextAreaField(
        _l("Kiến nghị, yêu cầu khắc phục"), validators=[Length(max=20000)]
    )
    severity = SelectField(_l("Mức độ"), validators=[Optional()])
    submit = SubmitField(_l("Thêm kết luận"))

    def load_choices(self) -> None:
        self.severity.choices = [("", "—")] + [
            (s.value, label) for s, label in service.SEVERITY_LABELS.items()
        ]


class FollowUpForm(FlaskForm):
    """The "5 rõ" of a follow-up task, prefilled from the finding."""

    title = StringField(_l("Tên nhiệm vụ"), validators=[Length(max=500)])
    description = TextAreaField(_l("Nội dung cụ thể"), validators=[Length(max=20000)])
    document_id = SelectField(_l("Văn bản chỉ đạo"), coerce=_optional_int)
    field_id = SelectField(_l("Lĩnh vực"), coerce=_optional_int)
    lead_unit_id = SelectField(_l("Đơn vị chủ trì"), coerce=_optional_int)
    accountable_user_id = SelectField(_l("Cá nhân chịu trách nhiệm chính"), coerce=_optional_int)
    supervisor_id = SelectField(_l("Lãnh đạo phụ trách"), coerce=_optional_int)
    start_date = VnDateField(_l("Ngày bắt đầu"), validators=[Optional()])
    due_date = VnDateField(_l("Hạn hoàn thành"), validators=[Optional()])
    process_steps = TextAreaField(
        _l("Các bước thực hiện (mỗi dòng một bước, theo thứ tự)"),
        validators=[Length(max=20000)],
    )
    expected_outcome = TextAreaField(_l("Sản phẩm đầu ra"), validators=[Length(max=20000)])
    target = TextAreaField(_l("Chỉ tiêu, tiêu chí nghiệm thu"), validators=[Length(max=20000)])
    submit = SubmitField(_l("Giao nhiệm vụ khắc phục"))

    def load_choices(self) -> None:
        """Take the task form's lists: the same units, people, leaders and documents."""
        helper = TaskForm(meta={"csrf": False}, formdata=None)
        helper.load_choices()
        for name in (
            "document_id",
            "field_id",
            "lead_unit_id",
            "accountable_user_id",
            "supervisor_id",
        ):
            getattr(self, name).choices = getattr(helper, name).choices

    def fill(self, data: TaskInput) -> None:
        for name in (
            "title",
            "description",
            "document_id",
            "field_id",
            "lead_unit_id",
            "accountable_user_id",
            "supervisor_id",
            "start_date",
            "due_date",
            "expected_outcome",
            "target",
        ):
            getattr(self, name).data = getattr(data, name)
        self.process_steps.data = "\n".join(data.process_steps)

    def to_input(self) -> TaskInput:
        """Return what the office typed as task input."""
        return TaskInput(
            title=self.title.data or "",
            description=self.description.data or "",
            document_id=self.document_id.data,
            field_id=self.field_id.data,
            lead_unit_id=self.lead_unit_id.data,
            accountable_user_id=self.accountable_user_id.data,
            supervisor_id=self.supervisor_id.data,
            start_date=self.start_date.data,
            due_date=self.due_date.data,
            expected_outcome=self.expected_outcome.data or "",
            target=self.target.data or "",
            process_steps=(self.process_steps.data or "").splitlines(),
        )


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    unit_id = SelectField(_l("Đơn vị"), coerce=_optional_int, validators=[Optional()])
    kind = SelectField(_l("Hình thức"), validators=[Optional()])


def _as_of() -> AsOf:
    return AsOf.of(local_date(utcnow()), load_calendar())


@bp.app_template_global("inspection_origin")
def inspection_origin(task_id: int):
    """Return the finding a task follows up, for the task page to link back (or None)."""
    return service.finding_of_task(task_id, current_user)


@bp.route("")
@login_required
def inspection_list():
    """List the inspections the person may see, with their findings' follow-up state."""
    service.require_list(current_user)
    form = FilterForm(request.args)
    form.unit_id.choices = _unit_choices()
    form.kind.choices = _kind_choices(_("Tất cả"))
    if not form.validate():
        flash(_("Một số điều kiện lọc không hợp lệ và đã được bỏ qua."), "warning")
        for item in form:
            item.data, item.errors = None, []
    page = request.args.get("page", 1, type=int)
    result = service.list_inspections(
        current_user, _as_of(), unit_id=form.unit_id.data, kind=form.kind.data, page=page
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "inspections/list.html",
        form=form,
        result=result,
        args=args,
        labels=CATEGORY_LABELS,
        kinds=service.KIND_LABELS,
        no_task=service.NO_TASK,
        can_record=service.may_record(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_inspection():
    """Record an inspection of a unit (the inspector)."""
    service.require_record(current_user)
    form = InspectionForm()
    form.load_choices()
    page = partial(render_template, "inspections/form.html", form=form)
    if form.validate_on_submit():
        with refusal_shown_on(form, page):
            inspection = service.record_inspection(
                form.to_input(), actor=current_user, now=utcnow()
            )
        flash(_("Đã ghi nhận đợt kiểm tra. Hãy thêm các kết luận."), "success")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    return page(), form_status()


def _detail(inspection, finding_form=None, status=200):
    if finding_form is None and service.may_record(current_user):
        finding_form = FindingForm(formdata=None)
        finding_form.load_choices()
    return render_template(
        "inspections/detail.html",
        inspection=inspection,
        rows=service.inspection_findings(inspection, _as_of()),
        labels=CATEGORY_LABELS,
        kinds=service.KIND_LABELS,
        severities=service.SEVERITY_LABELS,
        finding_form=finding_form,
        can_follow_up=service.may_follow_up(current_user),
    ), status


@bp.route("/<int:inspection_id>")
@login_required
def detail(inspection_id: int):
    """Show an inspection, its findings and each follow-up task's state."""
    return _detail(service.get_inspection(inspection_id, current_user))


@bp.route("/<int:inspection_id>/findings", methods=["POST"])
@login_required
def add_finding(inspection_id: int):
    """Add a finding to the inspection (the inspector)."""
    inspection = service.get_inspection(inspection_id, current_user)
    service.require_record(current_user)
    form = FindingForm()
    form.load_choices()
    if not form.validate_on_submit():
        return _detail(inspection, form, 422)

    def refused_page():
        return _detail(service.get_inspection(inspection_id, current_user), form)

    with refusal_shown_on(form, refused_page):
        finding = service.add_finding(
            inspection,
            text=form.text.data,
            recommendation=form.recommendation.data,
            severity=form.severity.data or None,
            actor=current_user,
            now=utcnow(),
        )
    flash(_("Đã thêm kết luận."), "success")
    return redirect(
        url_for("inspections.detail", inspection_id=inspection.id, _anchor=f"finding-{finding.id}")
    )


def _follow_up_page(finding, form, status=200, missing=None):
    return render_template(
        "inspections/follow_up.html",
        finding=finding,
        inspection=finding.inspection,
        form=form,
        missing=missing,
        severities=service.SEVERITY_LABELS,
    ), status


@bp.route("/findings/<int:finding_id>/follow-up", methods=["GET", "POST"])
@login_required
def follow_up(finding_id: int):
    """Turn a finding into a follow-up task, issued at once if clear on every "rõ"."""
    finding = service.get_finding(finding_id, current_user)
    service.require_follow_up(current_user)
    if finding.task_id is not None:
        flash(_("Kết luận này đã có nhiệm vụ khắc phục."), "info")
        return redirect(url_for("tasks.detail", task_id=finding.task_id))
    form = FollowUpForm()
    form.load_choices()
    if request.method == "GET":
        form.fill(service.follow_up_input(finding, today=local_date(utcnow())))
    if form.validate_on_submit():

        def refused_page():
            refusal = form.refusal
            missing = getattr(refusal, "missing", None) and refusal.fields
            return _follow_up_page(
                service.get_finding(finding_id, current_user), form, 422, missing
            )

        # A missing "rõ" is shown next to its first field, as on the task form.
        with refusal_shown_on(form, refused_page, CLARITY_FIELDS):
            task = service.turn_finding_into_task(
                finding, form.to_input(), actor=current_user, now=utcnow()
            )
        flash(_("Đã giao nhiệm vụ khắc phục cho %(unit)s.", unit=task.lead_unit.name), "success")
        return redirect(
            url_for(
                "inspections.detail",
                inspection_id=finding.inspection_id,
                _anchor=f"finding-{finding.id}",
            )
        )
    return _follow_up_page(finding, form, form_status())
