"""Administration pages: units, users and roles, fields (the working calendar is in calendar/).

Routes validate the form, call one service and redirect; the rules live in services.py and
the request commits once at its end. A refused change is undone and the form is shown
again, as typed, with the reason next to the field.
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.clock import utcnow
from tracker.org import forms, services
from tracker.org.models import Role, UnitKind
from tracker.org.permissions import admin_required, get_field, get_unit, get_user
from tracker.web.forms import form_status, refusal_shown_on

bp = Blueprint("org", __name__, url_prefix="/admin")

# Services name some fields differently from the forms.
_FORM_FIELD = {"role": "roles"}


def _unit_or_none(unit_id: int | None):
    return get_unit(unit_id) if unit_id else None


def _user_or_none(user_id: int | None):
    return get_user(user_id) if user_id else None


# ------------------------------------------------------------------ units


@bp.route("/units")
@login_required
@admin_required
def units():
    """Show the unit tree with each unit's kind, head, active members and state."""
    return render_template(
        "org/units.html",
        roots=services.unit_tree(),
        counts=services.member_counts(),
        kind_labels=forms.UNIT_KIND_LABELS,
    )


@bp.route("/units/new", methods=["GET", "POST"])
@login_required
@admin_required
def new_unit():
    """Add a unit to the tree."""
    form = forms.UnitForm()
    form.load_choices()
    if request.method == "GET":
        form.parent.data = request.args.get("parent", type=int)
    page = partial(render_template, "org/unit_form.html", form=form, unit=None)
    if form.validate_on_submit():
        with refusal_shown_on(form, page, _FORM_FIELD):
            unit = services.create_unit(
                code=form.code.data,
                name=form.name.data,
                kind=UnitKind(form.kind.data),
                parent=_unit_or_none(form.parent.data),
                actor=current_user,
                now=utcnow(),
            )
        flash(_("Đã tạo đơn vị %(name)s.", name=unit.name), "success")
        return redirect(url_for("org.units"))
    return page(), form_status()


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@login_required
@admin_required
def edit_unit(unit_id: int):
    """Change a unit's name, kind, parent or head."""
    unit = get_unit(unit_id)
    form = forms.UnitEditForm()
    form.load_choices(unit)
    if request.method == "GET":
        form.fill_from(unit)
    page = partial(render_template, "org/unit_form.html", form=form, unit=unit)
    if form.validate_on_submit():
        with refusal_shown_on(form, page, _FORM_FIELD):
            services.update_unit(
                unit,
                name=form.name.data,
                kind=UnitKind(form.kind.data),
                parent=_unit_or_none(form.parent.data),
                head=_user_or_none(form.head.data),
                actor=current_user,
                now=utcnow(),
            )
        flash(_("Đã lưu đơn vị %(name)s.", name=unit.name), "success")
        return redirect(url_for("org.units"))
    return page(), form_status()


def _set_unit_active(unit_id: int, active: bool):
    unit = get_unit(unit_id)
    services.set_unit_active(unit, active, actor=current_user, now=utcnow())
    if active:
        flash(_("Đã mở lại đơn vị %(name)s.", name=unit.name), "success")
    else:
        flash(_("Đã ngừng hoạt động đơn vị %(name)s.", name=unit.name), "success")
    return redirect(url_for("org.edit_unit", unit_id=unit.id))


@bp.route("/units/<int:unit_id>/deactivate", methods=["POST"])
@login_required
@admin_required
def deactivate_unit(unit_id: int):
    """Stop offering a unit for new work."""
    return _set_unit_active(unit_id, False)


@bp.route("/units/<int:unit_id>/reactivate", methods=["POST"])
@login_required
@admin_required
def reactivate_unit(unit_id: int):
    """Offer a deactivated unit again."""
    return _set_unit_active(unit_id, True)


# ------------------------------------------------------------------ users

PER_PAGE = 25
_ACTIVE_FILTER = {"1": True, "0": False}


@bp.route("/users")
@login_required
@admin_required
def users():
    """List users by unit, role, state or words of their name, a page at a time."""
    form = forms.UserFilterForm(request.args)
    form.load_choices()
    if not form.validate():
        flash(_("Một số điều kiện lọc không hợp lệ và đã được bỏ qua."), "warning")
        for field in form:
            if field.errors:
                field.data = None
                field.errors = []
    filters = services.UserFilters(
        q=form.q.data or "",
        unit_id=form.unit_id.data,
        role=Role(form.role.data) if form.role.data else None,
        active=_ACTIVE_FILTER.get(form.active.data or ""),
    )
    page = request.args.get("page", 1, type=int)
    result = services.search_users(filters, page=page, per_page=PER_PAGE)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "org/users.html",
        form=form,
        result=result,
        args=args,
        role_labels=forms.ROLE_LABELS,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
@admin_required
def new_user():
    """Create a user with their roles and first password."""
    form = forms.UserForm()
    form.load_choices()
    if request.method == "GET":
        form.unit.data = request.args.get("unit", type=int)
    if form.validate_on_submit():
        page = partial(render_template, "org/user_new.html", form=form)
        with refusal_shown_on(form, page, _FORM_FIELD):
            user = services.create_user(
                username=form.username.data,
                full_name=form.full_name.data,
                unit=get_unit(form.unit.data),
                roles=services.parse_roles(form.roles.data),
                position=form.position.data or "",
                email=form.email.data,
                password=form.password.data,
                actor=current_user,
                now=utcnow(),
                change_required=True,  # the admin knows it: the person chooses their own
            )
        flash(_("Đã tạo người dùng %(username)s.", username=user.username), "success")
        return redirect(url_for("org.edit_user", user_id=user.id))
    return render_template("org/user_new.html", form=form), form_status()


def _render_user(user, form=None, password_form=None, status=200):
    """Show a user's page: their details, the password reset and the account state."""
    if form is None:
        form = forms.UserEditForm(formdata=None)
        form.fill_from(user)
        form.load_choices(user)
    return render_template(
        "org/user_edit.html",
        account=user,
        form=form,
        password_form=password_form or forms.ResetPasswordForm(formdata=None),
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
@admin_required
def edit_user(user_id: int):
    """Change a user's name, unit, position, e-mail or roles."""
    user = get_user(user_id)
    if request.method == "GET":
        return _render_user(user)
    form = forms.UserEditForm()
    form.load_choices(user)
    if not form.validate_on_submit():
        return _render_user(user, form=form, status=422)
    with refusal_shown_on(form, partial(_render_user, user, form=form), _FORM_FIELD):
        services.update_user(
            user,
            full_name=form.full_name.data,
            unit=get_unit(form.unit.data),
            position=form.position.data or "",
            email=form.email.data,
            roles=services.parse_roles(form.roles.data),
            actor=current_user,
            now=utcnow(),
        )
    flash(_("Đã lưu thông tin của %(username)s.", username=user.username), "success")
    return redirect(url_for("org.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@login_required
@admin_required
def reset_password(user_id: int):
    """Give a user a new password."""
    user = get_user(user_id)
    password_form = forms.ResetPasswordForm()
    if not password_form.validate_on_submit():
        return _render_user(user, password_form=password_form, status=422)
    page = partial(_render_user, user, password_form=password_form)
    with refusal_shown_on(password_form, page, _FORM_FIELD):
        services.reset_password(user, password_form.password.data, actor=current_user, now=utcnow())
    flash(_("Đã đặt lại mật khẩu cho %(username)s.", username=user.username), "success")
    return redirect(url_for("org.edit_user", user_id=user.id))


def _set_user_active(user_id: int, active: bool):
    user = get_user(user_id)
    with refusal_shown_on(None, partial(_render_user, user)):
        services.set_user_active(user, active, actor=current_user, now=utcnow())
    if active:
        flash(_("Đã mở khoá tài khoản %(username)s.", username=user.username), "success")
    else:
        flash(_("Đã khoá tài khoản %(username)s.", username=user.username), "success")
    return redirect(url_for("org.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@login_required
@admin_required
def deactivate_user(user_id: int):
    """Lock a user's account: they can no longer sign in."""
    return _set_user_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@login_required
@admin_required
def reactivate_user(user_id: int):
    """Unlock a user's account."""
    return _set_user_active(user_id, True)


# ------------------------------------------------------------------ fields


@bp.route("/fields")
@login_required
@admin_required
def fields():
    """List the fields of work and their supervising leaders."""
    return render_template("org/fields.html", fields=services.list_fields())


@bp.route("/fields/new", methods=["GET", "POST"])
@login_required
@admin_required
def new_field():
    """Add a field of work."""
    form = forms.FieldForm()
    form.load_choices()
    page = partial(render_template, "org/field_form.html", form=form, field=None)
    if form.validate_on_submit():
        with refusal_shown_on(form, page, _FORM_FIELD):
            field = services.create_field(
                code=form.code.data,
                name=form.name.data,
                leader=_user_or_none(form.leader.data),
                actor=current_user,
                now=utcnow(),
            )
        flash(_("Đã tạo lĩnh vực %(name)s.", name=field.name), "success")
        return redirect(url_for("org.fields"))
    return page(), form_status()


@bp.route("/fields/<int:field_id>", methods=["GET", "POST"])
@login_required
@admin_required
def edit_field(field_id: int):
    """Rename a field or change its supervising leader."""
    field = get_field(field_id)
    form = forms.FieldEditForm()
    form.load_choices(field.leader)
    if request.method == "GET":
        form.name.data, form.leader.data = field.name, field.leader_id
    page = partial(render_template, "org/field_form.html", form=form, field=field)
    if form.validate_on_submit():
        with refusal_shown_on(form, page, _FORM_FIELD):
            services.update_field(
                field,
                name=form.name.data,
                leader=_user_or_none(form.leader.data),
                actor=current_user,
                now=utcnow(),
            )
        flash(_("Đã lưu lĩnh vực %(name)s.", name=field.name), "success")
        return redirect(url_for("org.fields"))
    return page(), form_status()
