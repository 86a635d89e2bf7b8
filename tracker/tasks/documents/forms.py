"""The form that registers a directive document."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.tasks.forms import VnDateField


class DocumentForm(FlaskForm):
    number = StringField(_l("Số, ký hiệu"), validators=[DataRequired(), Length(max=80)])
    kind = StringField(
        _l("Loại văn bản"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Ví dụ: Kế hoạch, Công văn, Quyết định, Chỉ thị"),
    )
    issuer = StringField(_l("Cơ quan ban hành"), validators=[DataRequired(), Length(max=255)])
    issued_on = VnDateField(_l("Ngày ban hành"), validators=[InputRequired()], any_year=True)
    summary = TextAreaField(_l("Trích yếu"), validators=[Length(max=5000)])
    files = MultipleFileField(_l("Bản ký số hoặc bản chụp văn bản (PDF)"))
    submit = SubmitField(_l("Đăng ký văn bản"))


class DocumentFilesForm(FlaskForm):
    files = MultipleFileField(_l("Tệp văn bản"), validators=[DataRequired()])
    submit = SubmitField(_l("Đính kèm"))
