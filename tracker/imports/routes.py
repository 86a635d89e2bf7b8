"""Pages to import tasks (the office) and the organisation (the admin) from Excel."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from openpyxl import Workbook
from wtforms import BooleanField, RadioField, SubmitField

from tracker.clock import utcnow
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.imports import organisation, tasks
from tracker.org.permissions import admin_required
from tracker.tasks.permissions import require_can_create
from tracker.web.forms import form_status

bp = Blueprint("imports", __name__, url_prefix="/import")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file_field() -> FileField:
    return FileField(
        _l("Tệp Excel (.xlsx)"),
        validators=[
            FileRequired(message=_l("Hãy chọn tệp Excel để nhập.")),
            FileAllowed(["xlsx"], message=_l("Chỉ nhận tệp Excel .xlsx; hãy dùng tệp mẫu.")),
        ],
    )


class TaskImportForm(FlaskForm):
    file = _file_field()
    mode = RadioField(
        _l("Sau khi nhập"),
        choices=[("issue", _l("Giao ngay nếu đủ 5 rõ")), ("draft", _l("Chỉ tạo dự thảo"))],
        default="issue",
        validate_choice=True,
    )
    valid_only = BooleanField(_l("Chỉ nhập các dòng hợp lệ, dưới dạng dự thảo"))
    submit = SubmitField(_l("Nhập nhiệm vụ"))


class OrganisationImportForm(FlaskForm):
    file = _file_field()
    submit = SubmitField(_l("Nhập đơn vị và người dùng"))


def _send(book: Workbook, filename: str):
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)


def _file_refused(form, template: str, error: ValidationError):
    """Re-show the form with the reason the file itself cannot be imported."""
    db.session.rollback()
    form.file.errors = [*form.file.errors, error.message]
    return render_template(template, form=form, result=None), 422


@bp.route("/tasks/template")
@login_required
def task_template():
    """Download the workbook to fill in with tasks, and its guide."""
    require_can_create(current_user)
    return _send(tasks.task_template(), "mau-nhap-nhiem-vu.xlsx")


@bp.route("/tasks", methods=["GET", "POST"])
@login_required
def import_tasks():
    """Import tasks from a workbook, or show every row's errors and import nothing."""
    require_can_create(current_user)
    form = TaskImportForm()
    if not form.validate_on_submit():
        return render_template("imports/tasks.html", form=form, result=None), form_status()
    try:
        result = tasks.import_tasks(
            form.file.data.read(),
            actor=current_user,
            now=utcnow(),
            issue=form.mode.data == "issue",
            valid_only=form.valid_only.data,
        )
    except ValidationError as error:
        return _file_refused(form, "imports/tasks.html", error)
    if not result.tasks:  # nothing imported: the 422 undoes whatever the import began
        return render_template("imports/tasks.html", form=form, result=result), 422
    if result.errors:
        return render_template("imports/tasks.html", form=form, result=result)
    if result.issued:
        flash(_("Đã nhập và giao %(n)s nhiệm vụ.", n=result.tasks), "success")
    else:
        flash(_("Đã nhập %(n)s nhiệm vụ dưới dạng dự thảo.", n=result.tasks), "success")
    return redirect(url_for("tasks.task_list"))


@bp.route("/org/template")
@login_required
@admin_required
def organisation_template():
    """Download the workbook to fill in with units and users, and its guide."""
    return _send(organisation.organisation_template(), "mau-nhap-don-vi-nguoi-dung.xlsx")


@bp.route("/org", methods=["GET", "POST"])
@login_required
@admin_required
def import_organisation():
    """Import units and users from a workbook, or show every row's errors and import nothing."""
    form = OrganisationImportForm()
    if not form.validate_on_submit():
        return render_template("imports/org.html", form=form, result=None), form_status()
    try:
        result = organisation.import_organisation(
            form.file.data.read(), actor=current_user, now=utcnow()
        )
    except ValidationError as error:
        return _file_refused(form, "imports/org.html", error)
    if result.errors:  # all or nothing: the 422 undoes every row
        return render_template("imports/org.html", form=form, result=result), 422
    flash(
        _(
            "Đã nhập %(units)s đơn vị và %(users)s người dùng.",
            units=result.units,
            users=result.users,
        ),
        "success",
    )
    return redirect(url_for("org.units"))
