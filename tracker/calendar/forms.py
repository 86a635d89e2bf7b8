"""The working-calendar page's form, and the Vietnamese names of day kinds and weekdays."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, widgets
from wtforms.validators import InputRequired, Length

from tracker.calendar.models import DayKind

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

DAY_KIND_LABELS = {DayKind.DAY_OFF: _l("Nghỉ"), DayKind.WORKING_DAY: _l("Làm việc")}

WEEKDAY_LABELS = [
    _l("Thứ hai"),
    _l("Thứ ba"),
    _l("Thứ tư"),
    _l("Thứ năm"),
    _l("Thứ sáu"),
    _l("Thứ bảy"),
    _l("Chủ nhật"),
]


class VnDateField(DateField):
    """A date typed as dd/mm/yyyy (yyyy-mm-dd is accepted too)."""

    # A text box, not <input type="date">: browsers would neither show nor send dd/mm/yyyy.
    widget = widgets.TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", DATE_FORMATS)
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not "".join(valuelist).strip():
            self.data = None  # left empty: InputRequired/Optional decide, no second message
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy.")) from exc


class OverrideForm(FlaskForm):
    """A day the admin declares off (nghỉ bù) or working (làm bù)."""

    day = VnDateField(_l("Ngày"), validators=[InputRequired(message=_l("Cần nhập ngày."))])
    kind = SelectField(
        _l("Loại ngày"),
        choices=[(kind.value, label) for kind, label in DAY_KIND_LABELS.items()],
        invalid_choice_message=_l("Lựa chọn không hợp lệ."),
    )
    note = StringField(
        _l("Ghi chú"),
        validators=[Length(max=255, message=_l("Tối đa %(max)d ký tự."))],
        description=_l("Ví dụ: làm bù cho ngày 31/08 theo thông báo của Chính phủ."),
    )
    submit = SubmitField(_l("Thêm điều chỉnh"))
