"""Sign-in and password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange

from tracker.auth.tokens import MAX_PERSONAL_DAYS
from tracker.org.services import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))
    submit = SubmitField(_l("Đăng nhập"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("Mật khẩu mới"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("Ít nhất %(n)s ký tự.", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("Hai mật khẩu không khớp.")),
        ],
    )
    submit = SubmitField(_l("Đổi mật khẩu"))


class PersonalTokenForm(FlaskForm):
    name = StringField(
        _l("Tên mã truy cập"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("Ví dụ: “Phần mềm báo cáo của Sở”, để sau này nhận ra và thu hồi."),
    )
    days = IntegerField(
        _l("Thời hạn (ngày)"),
        default=90,
        validators=[DataRequired(), NumberRange(min=1, max=MAX_PERSONAL_DAYS)],
    )
    submit = SubmitField(_l("Tạo mã truy cập"))


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token."""
