"""Sign-in and password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange

from tracker.auth.tokens import MAX_PERSONAL_DAYS
from tracker.org.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(
        _l("Mật khẩu"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    # Keeps the session across a browser restart, never beyond SESSION_HOURS.
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))
    submit = SubmitField(_l("Đăng nhập"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("Mật khẩu mới"),
        # The policy (length, common passwords, the username) is checked by the service,
        # passwords.check_password, with its own messages: one rule, in one place.
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        description=_l(
            "Ít nhất %(n)s ký tự; nên là một câu dài dễ nhớ, ví dụ “cay bang truoc ngo nha "
            "toi”. Không dùng mật khẩu phổ biến hay chứa tên đăng nhập.",
            n=MIN_PASSWORD_LENGTH,
        ),
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


class SignOutElsewhereForm(FlaskForm):
    """Sign out of every other browser: the password again, so a borrowed session cannot."""

    password = PasswordField(
        _l("Mật khẩu hiện tại"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    submit = SubmitField(_l("Đăng xuất khỏi mọi nơi khác"))
