"""The form of a process template and its steps."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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

from tracker.org.models import Role
from tracker.tasks.models import ProcessTemplate
from tracker.tasks.process_templates import services as templates

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
