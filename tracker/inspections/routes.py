"""Inspection pages: the list, recording an inspection and its findings, and turning a
finding into a follow-up task.

Routes parse the form, call one service and render or redirect; the rules live in
tracker/inspections/services.py and, for the follow-up task, in the task services.
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.clock import local_date, utcnow
from tracker.inspections import models, permissions
from tracker.inspections import services as service
from tracker.inspections.forms import (
    FilterForm,
    FindingForm,
    FollowUpForm,
    InspectionForm,
    kind_choices,
    unit_choices,
)
from tracker.tasks.classification import CATEGORY_LABELS, as_of
from tracker.tasks.forms import CLARITY_FIELDS
from tracker.web.forms import form_status, refusal_shown_on

bp = Blueprint("inspections", __name__, url_prefix="/inspections")


@bp.app_template_global("inspection_origin")
def inspection_origin(task_id: int):
    """Return the finding a task follows up, for the task page to link back (or None)."""
    return permissions.finding_of_task(task_id, current_user)


@bp.route("")
@login_required
def inspection_list():
    """List the inspections the person may see, with their findings' follow-up state."""
    permissions.require_list(current_user)
    form = FilterForm(request.args)
    form.unit_id.choices = unit_choices()
    form.kind.choices = kind_choices(_("Tất cả"))
    if not form.validate():
        flash(_("Một số điều kiện lọc không hợp lệ và đã được bỏ qua."), "warning")
        for item in form:
            item.data, item.errors = None, []
    page = request.args.get("page", 1, type=int)
    result = service.list_inspections(
        current_user, as_of(), unit_id=form.unit_id.data, kind=form.kind.data, page=page
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "inspections/list.html",
        form=form,
        result=result,
        args=args,
        labels=CATEGORY_LABELS,
        kinds=models.KIND_LABELS,
        no_task=service.NO_TASK,
        can_record=permissions.may_record(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_inspection():
    """Record an inspection of a unit (the inspector)."""
    permissions.require_record(current_user)
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
    if finding_form is None and permissions.may_record(current_user):
        finding_form = FindingForm(formdata=None)
        finding_form.load_choices()
    return render_template(
        "inspections/detail.html",
        inspection=inspection,
        rows=service.inspection_findings(inspection, as_of()),
        labels=CATEGORY_LABELS,
        kinds=models.KIND_LABELS,
        severities=models.SEVERITY_LABELS,
        finding_form=finding_form,
        can_follow_up=permissions.may_follow_up(current_user),
    ), status


@bp.route("/<int:inspection_id>")
@login_required
def detail(inspection_id: int):
    """Show an inspection, its findings and each follow-up task's state."""
    return _detail(permissions.get_inspection(inspection_id, current_user))


@bp.route("/<int:inspection_id>/findings", methods=["POST"])
@login_required
def add_finding(inspection_id: int):
    """Add a finding to the inspection (the inspector)."""
    inspection = permissions.get_inspection(inspection_id, current_user)
    permissions.require_record(current_user)
    form = FindingForm()
    form.load_choices()
    if not form.validate_on_submit():
        return _detail(inspection, form, 422)

    def refused_page():
        return _detail(permissions.get_inspection(inspection_id, current_user), form)

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
        severities=models.SEVERITY_LABELS,
    ), status


@bp.route("/findings/<int:finding_id>/follow-up", methods=["GET", "POST"])
@login_required
def follow_up(finding_id: int):
    """Turn a finding into a follow-up task, issued at once if clear on every "rõ"."""
    finding = permissions.get_finding(finding_id, current_user)
    permissions.require_follow_up(current_user)
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
                permissions.get_finding(finding_id, current_user), form, 422, missing
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
