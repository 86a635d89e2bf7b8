"""The forms of the inspection pages: an inspection, a finding, its follow-up task, the
list's filter."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from tracker.extensions import db
from tracker.inspections import models
from tracker.inspections import services as service
from tracker.org.models import Unit
from tracker.tasks.forms import TaskForm, VnDateField, carrier_choices, task_input_of
from tracker.tasks.services import TaskInput


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def kind_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(k.value, label) for k, label in models.KIND_LABELS.items()]


def unit_choices() -> list[tuple[int | None, str]]:
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
        self.kind.choices = kind_choices("—")
        self.unit_id.choices = unit_choices()
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
            (s.value, label) for s, label in models.SEVERITY_LABELS.items()
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
        self.offer_carriers()

    def offer_carriers(self) -> None:
        """Offer as accountable only the chosen lead unit's people (as the task form);
        anyone else sent is refused by the gate, which names why."""
        self.accountable_user_id.choices = carrier_choices(self.lead_unit_id.data)
        self.accountable_user_id.validate_choice = False

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
        self.offer_carriers()

    def to_input(self) -> TaskInput:
        """Return what the office typed as task input."""
        return task_input_of(self)


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    unit_id = SelectField(_l("Đơn vị"), coerce=_optional_int, validators=[Optional()])
    kind = SelectField(_l("Hình thức"), validators=[Optional()])
