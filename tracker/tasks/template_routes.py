"""Pages where the office and the admins keep the process templates."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.clock import utcnow
from tracker.org.models import Role
from tracker.tasks import templates
from tracker.tasks.models import ProcessTemplate
from tracker.web.forms import form_status, refusal_shown_on

bp = Blueprint("process_templates", __name__, url_prefix="/process-templates")

BLANK_STEPS = 3


class StepForm(Form):
    description = StringField(_l("Bước"), validators=[Length(max=2000)])
    working_days = IntegerField(
        _l("Số ngày làm việc"), validators=[Optional(), NumberRange(min=1, max=250)]
    )
    responsible = SelectField(
        _l("Người thực hiện bước"),
        choices=[(role.value, _l(label)) for role, label in templates.RESPONSIBLE_LABELS.items()],
        default=Role.STAFF.value,
    )
    milestone = BooleanField(_l("Là mốc tiến độ"))


class TemplateForm(FlaskForm):
    name = StringField(_l("Tên quy trình mẫu"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Áp dụng cho"), validators=[Length(max=5000)])
    active = BooleanField(_l("Đang dùng"), default=True)
    steps = FieldList(FormField(StepForm), min_entries=BLANK_STEPS)
    submit = SubmitField(_l("Lưu quy trình mẫu"))

    def fill_from(self, template: ProcessTemplate) -> None:
        self.name.data, self.description.data = template.name, template.description
        self.active.data = template.active
        while len(self.steps):
            self.steps.pop_entry()
        for step in template.steps:
            self.steps.append_entry(
                {
                    "description": step.description,
                    "working_days": step.working_days,
                    "responsible": step.responsible.value,
                    "milestone": step.milestone,
                }
            )

    def add_blank_rows(self) -> None:
        while sum(1 for row in self.steps if not row.form.description.data) < BLANK_STEPS:
            self.steps.append_entry()

    def step_inputs(self) -> list[templates.StepInput]:
        return [
            templates.StepInput(
                row.form.description.data or "",
                row.form.working_days.data,
                row.form.responsible.data,
                row.form.milestone.data,
            )
            for row in self.steps
            if (row.form.description.data or "").strip()
        ]


def _require_keeper() -> None:
    if not templates.may_keep_templates(current_user):
        abort(403)


@bp.route("")
@login_required
def index():
    """List the process templates."""
    _require_keeper()
    return render_template(
        "process_templates/list.html",
        items=templates.all_templates(),
        labels=templates.RESPONSIBLE_LABELS,
    )


def _edit(template: ProcessTemplate | None):
    form = TemplateForm()
    if template is not None and not form.is_submitted():
        form.fill_from(template)

    def page():
        form.add_blank_rows()
        return render_template("process_templates/form.html", form=form, template=template)

    if form.validate_on_submit():
        with refusal_shown_on(form, page):
            saved = templates.save_template(
                template,
                name=form.name.data,
                description=form.description.data or "",
                steps=form.step_inputs(),
                active=form.active.data,
                actor=current_user,
                now=utcnow(),
            )
        flash(_("Đã lưu quy trình mẫu “%(name)s”.", name=saved.name), "success")
        return redirect(url_for("process_templates.index"))
    return page(), form_status()


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Create a process template."""
    _require_keeper()
    return _edit(None)


@bp.route("/<int:template_id>", methods=["GET", "POST"])
@login_required
def edit(template_id: int):
    """Change a process template (tasks already drafted keep their steps)."""
    _require_keeper()
    return _edit(templates.get_template(template_id))
