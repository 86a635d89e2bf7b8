"""The forms of recurring tasks: a series, its end, pausing it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from tracker.tasks.forms import TaskForm, VnDateField
from tracker.tasks.series.services import FREQUENCY_LABELS, Rule


class SeriesForm(TaskForm):
    """A recurring task: the occurrences' content and when each falls due."""

    frequency = SelectField(_l("Chu kỳ"), choices=[], default="quarterly")
    due_rule = SelectField(
        _l("Hạn là"),
        choices=[
            ("calendar_day", _l("ngày thứ N trong tháng")),
            ("working_day", _l("ngày làm việc thứ N trong tháng")),
        ],
    )
    due_day = IntegerField(_l("N"), default=20, validators=[Optional(), NumberRange(1, 31)])
    due_next_month = BooleanField(_l("Hạn ở tháng sau kỳ (không phải tháng cuối kỳ)"))
    every_working_days = IntegerField(
        _l("hoặc sau mỗi (ngày làm việc)"), validators=[Optional(), NumberRange(1, 250)]
    )
    create_days_ahead = IntegerField(
        _l("Tạo nhiệm vụ trước (ngày)"), default=7, validators=[Optional(), NumberRange(0, 60)]
    )
    starts_on = VnDateField(_l("Bắt đầu từ ngày"), validators=[InputRequired()])
    ends_on = VnDateField(_l("Kết thúc sau ngày"), validators=[Optional()])

    def load_choices(self) -> None:
        super().load_choices()
        self.frequency.choices = [(k.value, _l(v)) for k, v in FREQUENCY_LABELS.items()]

    def rule(self) -> Rule:
        return Rule(
            frequency=self.frequency.data,
            due_rule=self.due_rule.data,
            due_day=self.due_day.data or 1,
            due_next_month=bool(self.due_next_month.data),
            every_working_days=self.every_working_days.data,
            create_days_ahead=(
                7 if self.create_days_ahead.data is None else self.create_days_ahead.data
            ),
        )


class EndForm(FlaskForm):
    ends_on = VnDateField(_l("Kết thúc sau ngày"))
    submit = SubmitField(_l("Kết thúc chuỗi"))


class PauseForm(FlaskForm):
    submit = SubmitField()
