"""Forms of the administration pages, and the Vietnamese names of unit kinds and roles.

WTForms has no Vietnamese catalogue, so every message a person can see here is given
explicitly (in Vietnamese, translated to English by Flask-Babel like the rest).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from tracker.extensions import db
from tracker.org.models import Role, Unit, UnitKind, User
from tracker.org.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from tracker.org.services import users_with_role

UNIT_KIND_LABELS = {
    UnitKind.CITY: _l("Thành phố"),
    UnitKind.OFFICE: _l("Văn phòng"),
    UnitKind.DEPARTMENT: _l("Sở/ban/ngành"),
    UnitKind.DISTRICT: _l("Quận/huyện/thị xã"),
    UnitKind.COMMUNE: _l("Xã/phường/thị trấn"),
    UnitKind.DIVISION: _l("Phòng/ban thuộc đơn vị"),
    UnitKind.PUBLIC_SERVICE: _l("Đơn vị sự nghiệp"),
}

ROLE_LABELS = {
    Role.ADMIN: _l("Quản trị hệ thống"),
    Role.ASSIGNER: _l("Văn phòng – giao việc"),
    Role.LEADER: _l("Lãnh đạo UBND"),
    Role.UNIT_HEAD: _l("Lãnh đạo đơn vị"),
    Role.STAFF: _l("Chuyên viên"),
    Role.INSPECTOR: _l("Thanh tra – Sở Nội vụ"),
}

INVALID_CHOICE = _l("Lựa chọn không hợp lệ.")
NONE_CHOICE = (None, "—")


def required():
    """Refuse an empty field, in Vietnamese."""
    return DataRequired(message=_l("Cần nhập nội dung này."))


def at_most(n: int):
    """Refuse text longer than ``n`` characters, in Vietnamese."""
    return Length(max=n, message=_l("Tối đa %(max)d ký tự."))


def optional_int(value):
    """Turn a select's value into an id, or None for the empty choice."""
    return int(value) if value not in (None, "", "None") else None


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _id_select(label, **kwargs) -> SelectField:
    return SelectField(label, coerce=optional_int, invalid_choice_message=INVALID_CHOICE, **kwargs)


def unit_choices(include_id: int | None = None, exclude_id: int | None = None) -> list:
    """Return the active units (and ``include_id`` even if inactive) to pick from, by name."""
    query = (
        sa.select(Unit.id, Unit.name, Unit.code, Unit.active)
        .where(sa.or_(Unit.active, Unit.id == include_id))
        .order_by(Unit.name)
    )
    return [
        (unit_id, f"{name} ({code})" if active else f"{name} ({code}) — {_l('ngừng hoạt động')}")
        for unit_id, name, code, active in db.session.execute(query)
        if unit_id != exclude_id
    ]


def _user_label(user: User) -> str:
    return f"{user.full_name} ({user.username})"


KIND_CHOICES = [(kind.value, label) for kind, label in UNIT_KIND_LABELS.items()]
ROLE_CHOICES = [(role.value, label) for role, label in ROLE_LABELS.items()]


# ------------------------------------------------------------------ units


class UnitForm(FlaskForm):
    """A new unit."""

    code = StringField(
        _l("Mã đơn vị"),
        validators=[required(), at_most(40)],
        description=_l("Ví dụ: STTTT. Mã không đổi được sau khi tạo."),
    )
    name = StringField(_l("Tên đơn vị"), validators=[required(), at_most(255)])
    kind = SelectField(
        _l("Loại đơn vị"), choices=KIND_CHOICES, invalid_choice_message=INVALID_CHOICE
    )
    parent = _id_select(_l("Trực thuộc"), validators=[Optional()])
    submit = SubmitField(_l("Tạo đơn vị"))

    def load_choices(self) -> None:
        """Offer the active units as parents."""
        self.parent.choices = [NONE_CHOICE, *unit_choices()]


class UnitEditForm(FlaskForm):
    """A unit's name, kind, place in the tree and head."""

    name = StringField(_l("Tên đơn vị"), validators=[required(), at_most(255)])
    kind = SelectField(
        _l("Loại đơn vị"), choices=KIND_CHOICES, invalid_choice_message=INVALID_CHOICE
    )
    parent = _id_select(_l("Trực thuộc"), validators=[Optional()])
    head = _id_select(
        _l("Thủ trưởng đơn vị"),
        validators=[Optional()],
        description=_l("Chọn trong số người dùng đang hoạt động của chính đơn vị này."),
    )
    submit = SubmitField(_l("Lưu thay đổi"))

    def load_choices(self, unit: Unit) -> None:
        """Offer every other unit as parent and the unit's active members as head."""
        self.parent.choices = [
            NONE_CHOICE,
            *unit_choices(include_id=unit.parent_id, exclude_id=unit.id),
        ]
        members = db.session.scalars(
            sa.select(User)
            .where(User.unit_id == unit.id, sa.or_(User.active, User.id == unit.head_id))
            .order_by(User.full_name)
        )
        self.head.choices = [NONE_CHOICE, *((u.id, _user_label(u)) for u in members)]

    def fill_from(self, unit: Unit) -> None:
        """Show the unit as it is."""
        self.name.data = unit.name
        self.kind.data = unit.kind.value
        self.parent.data = unit.parent_id
        self.head.data = unit.head_id


# ------------------------------------------------------------------ users

_USERNAME_HINT = _l("Chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang; ví dụ cv.tttt")
_EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Địa chỉ thư điện tử không hợp lệ."))
_PASSWORD_HINT = _l(
    "Ít nhất %(n)s ký tự; nên là một câu dài dễ nhớ. Không dùng mật khẩu phổ biến hay chứa "
    "tên đăng nhập. Người dùng sẽ phải tự đổi mật khẩu ở lần đăng nhập tới.",
    n=MIN_PASSWORD_LENGTH,
)


class _UserFields(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[required(), at_most(255)])
    unit = _id_select(_l("Đơn vị"), validators=[required()])
    position = StringField(_l("Chức vụ"), validators=[Optional(), at_most(120)])
    email = StringField(_l("Thư điện tử"), validators=[Optional(), at_most(255), _EMAIL])
    roles = MultiCheckboxField(
        _l("Vai trò"),
        choices=ROLE_CHOICES,
        validators=[DataRequired(message=_l("Chọn ít nhất một vai trò."))],
        invalid_choice_message=INVALID_CHOICE,
    )


class UserForm(_UserFields):
    """A new user and their first password."""

    username = StringField(
        _l("Tên đăng nhập"), validators=[required(), at_most(80)], description=_USERNAME_HINT
    )
    password = PasswordField(
        _l("Mật khẩu ban đầu"),
        validators=[required(), at_most(MAX_PASSWORD_LENGTH)],
        description=_PASSWORD_HINT,
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu"),
        validators=[required(), EqualTo("password", message=_l("Hai mật khẩu không khớp."))],
    )
    submit = SubmitField(_l("Tạo người dùng"))

    def load_choices(self) -> None:
        """Offer the active units."""
        self.unit.choices = [NONE_CHOICE, *unit_choices()]


class UserEditForm(_UserFields):
    """A user's name, unit, position, e-mail and roles."""

    submit = SubmitField(_l("Lưu thay đổi"))

    def load_choices(self, user: User) -> None:
        """Offer the active units and the user's own."""
        self.unit.choices = [NONE_CHOICE, *unit_choices(include_id=user.unit_id)]

    def fill_from(self, user: User) -> None:
        """Show the user as they are."""
        self.full_name.data = user.full_name
        self.unit.data = user.unit_id
        self.position.data = user.position or ""
        self.email.data = user.email or ""
        self.roles.data = sorted(role.value for role in user.roles)


class ResetPasswordForm(FlaskForm):
    """A new password the admin gives a user."""

    password = PasswordField(
        _l("Mật khẩu mới"),
        validators=[required(), at_most(MAX_PASSWORD_LENGTH)],
        description=_PASSWORD_HINT,
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[required(), EqualTo("password", message=_l("Hai mật khẩu không khớp."))],
    )
    # Not "submit": the user's page holds two forms, and ids must stay unique.
    reset = SubmitField(_l("Đặt lại mật khẩu"))


ACTIVE_CHOICES = [("", _l("Tất cả")), ("1", _l("Đang hoạt động")), ("0", _l("Đã khoá"))]


class UserFilterForm(FlaskForm):
    """The user list's filters, read from the query string."""

    class Meta:
        csrf = False

    q = StringField(_l("Tìm theo tên hoặc tên đăng nhập"), validators=[Optional(), at_most(200)])
    unit_id = _id_select(_l("Đơn vị"), validators=[Optional()])
    role = SelectField(
        _l("Vai trò"),
        choices=[("", _l("Tất cả")), *ROLE_CHOICES],
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
    )
    active = SelectField(
        _l("Trạng thái"),
        choices=ACTIVE_CHOICES,
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
    )

    def load_choices(self) -> None:
        """Offer every unit, inactive ones included."""
        query = sa.select(Unit.id, Unit.name).order_by(Unit.name)
        self.unit_id.choices = [NONE_CHOICE, *((i, name) for i, name in db.session.execute(query))]


# ------------------------------------------------------------------ fields


class FieldForm(FlaskForm):
    """A new field of work (lĩnh vực)."""

    code = StringField(
        _l("Mã lĩnh vực"),
        validators=[required(), at_most(40)],
        description=_l("Ví dụ: CDS. Mã không đổi được sau khi tạo."),
    )
    name = StringField(_l("Tên lĩnh vực"), validators=[required(), at_most(255)])
    leader = _id_select(_l("Lãnh đạo phụ trách"), validators=[Optional()])
    submit = SubmitField(_l("Tạo lĩnh vực"))

    def load_choices(self, current: User | None = None) -> None:
        """Offer the active leaders (and the current one, whatever their state)."""
        leaders = users_with_role(Role.LEADER)
        if current is not None and current not in leaders:
            leaders.append(current)
        self.leader.choices = [NONE_CHOICE, *((u.id, _user_label(u)) for u in leaders)]


class FieldEditForm(FieldForm):
    """A field's name and supervising leader (the code stays)."""

    code = None
    submit = SubmitField(_l("Lưu thay đổi"))
