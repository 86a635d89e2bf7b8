"""Audit pages for admins and inspectors: search the trail, the history of a task, a user
or a unit, and the state of the hash chain (checked on demand)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from tracker.audit.checks import chain_state
from tracker.clock import utcnow
from tracker.org.permissions import get_unit, get_user
from tracker.oversight import audit_queries as views
from tracker.tasks.forms import VnDateField

bp = Blueprint("audit", __name__, url_prefix="/audit")

OBJECT_KINDS = {"task": "Task", "user": "User", "unit": "Unit"}


@bp.before_request
@login_required
def _auditors_only():
    """Open every audit page to admins and inspectors only (403 for anyone else)."""
    views.require_audit_reader(current_user)


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    object_kind = SelectField(
        _l("Đối tượng"),
        validators=[Optional()],
        choices=[
            ("", _l("Mọi đối tượng")),
            ("task", _l("Nhiệm vụ (số)")),
            ("user", _l("Người dùng (tên đăng nhập)")),
            ("unit", _l("Đơn vị (mã đơn vị)")),
        ],
    )
    object_key = StringField(_l("Số, tên đăng nhập hoặc mã"), validators=[Length(max=80)])
    actor = StringField(
        _l("Người thực hiện (tên đăng nhập)"),
        validators=[Length(max=80)],
        description=_l("“system” cho các thao tác tự động của hệ thống."),
    )
    action = SelectField(_l("Thao tác"), validators=[Optional()])
    date_from = VnDateField(_l("Từ ngày"), validators=[Optional()])
    date_to = VnDateField(_l("Đến ngày"), validators=[Optional()])

    def load_choices(self) -> None:
        actions = sorted(
            ((code, str(label)) for code, label in views.ACTION_LABELS.items()),
            key=lambda item: item[1],
        )
        groups = [(code, str(label)) for code, label in views.ACTION_GROUPS.items()]
        self.action.choices = [("", _("Mọi thao tác"))] + groups + actions

    def to_filters(self) -> views.AuditFilters | None:
        """Return the filters, or None after marking the fields whose value names nothing."""
        filters = views.AuditFilters(
            action=self.action.data or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            self.date_to.errors.append(_("“Đến ngày” phải sau “Từ ngày”."))
        key = (self.object_key.data or "").strip()
        kind = self.object_kind.data
        if key and not kind:
            self.object_kind.errors.append(_("Hãy chọn loại đối tượng cần tìm."))
        elif kind and key:
            filters.object_type = OBJECT_KINDS[kind]
            filters.object_id = self._object_id(kind, key)
        elif kind:
            filters.object_type = OBJECT_KINDS[kind]
        actor = (self.actor.data or "").strip()
        if actor:
            filters.actor_id = views.user_id_by_username(actor)
            if filters.actor_id is None:
                if views.is_system_actor(actor):
                    filters.system_actor = True
                else:
                    self.actor.errors.append(_("Không có người dùng “%(u)s”.", u=actor))
        return None if any(field.errors for field in self) else filters

    def _object_id(self, kind: str, key: str) -> int | None:
        if kind == "task":
            if key.lstrip("#").isdigit():
                return int(key.lstrip("#"))
            self.object_key.errors.append(_("Số nhiệm vụ phải là một số."))
            return None
        found = views.user_id_by_username(key) if kind == "user" else views.unit_id_by_code(key)
        if found is None:
            message = (
                _("Không có người dùng “%(u)s”.", u=key)
                if kind == "user"
                else _("Không có đơn vị mã “%(c)s”.", c=key)
            )
            self.object_key.errors.append(message)
        return found


class VerifyForm(FlaskForm):
    submit = SubmitField(_l("Kiểm tra chuỗi"))


def _args() -> dict:
    return {k: v for k, v in request.args.items() if k != "page" and v}


@bp.route("")
def search():
    """Search the audit trail, newest first, under the state of the chain."""
    form = SearchForm(request.args)
    form.load_choices()
    result = None
    if form.validate():
        filters = form.to_filters()
        if filters is not None:
            page = request.args.get("page", 1, type=int)
            result = views.search_events(filters, page=page)
    return render_template(
        "audit/index.html",
        form=form,
        result=result,
        args=_args(),
        chain=chain_state(),
        verify_form=VerifyForm(formdata=None),
    )


@bp.route("/verify", methods=["POST"])
def verify():
    """Verify the whole hash chain now and show the result on the audit page."""
    if VerifyForm().validate_on_submit():
        report = views.check_chain(actor=current_user, now=utcnow())
        if report.ok:
            flash(_("Đã kiểm tra: chuỗi nhật ký nguyên vẹn."), "success")
        else:
            flash(_("Đã kiểm tra: chuỗi nhật ký bị phá vỡ."), "danger")
    return redirect(url_for("audit.search"))


def _page_url(param: str, page: int) -> str:
    """Return this page's address showing another page of one section."""
    query = {**request.args.to_dict(), param: page}
    return url_for(request.endpoint, **(request.view_args or {}), **query)


def _history(title: str, subject_url: str | None, sections: list[tuple]):
    """Render a history page; each section is (heading, page of events, page parameter,
    whether to show each event's object)."""
    return render_template(
        "audit/history.html",
        title=title,
        subject_url=subject_url,
        sections=sections,
        page_url=_page_url,
    )


@bp.route("/tasks/<int:task_id>")
def task_history(task_id: int):
    """Show everything that happened to a task, oldest first."""
    task = views.task_for_audit(task_id)
    page = request.args.get("page", 1, type=int)
    history = views.object_history("Task", task.id, page=page)
    title = _("Nhật ký nhiệm vụ #%(id)s: %(t)s", id=task.id, t=task.title or "—")
    return _history(
        title,
        url_for("tasks.detail", task_id=task.id),
        [(_("Các thao tác trên nhiệm vụ"), history, "page", False)],
    )


@bp.route("/users/<int:user_id>")
def user_history(user_id: int):
    """Show what happened to a user's account, and what the user did."""
    user = get_user(user_id)
    about = views.object_history("User", user.id, page=request.args.get("page", 1, type=int))
    done = views.actor_history(user.id, page=request.args.get("done_page", 1, type=int))
    return _history(
        _("Nhật ký người dùng %(n)s (%(u)s)", n=user.full_name, u=user.username),
        None,
        [
            (_("Thay đổi về tài khoản"), about, "page", False),
            (_("Các thao tác người dùng đã thực hiện"), done, "done_page", True),
        ],
    )


@bp.route("/units/<int:unit_id>")
def unit_history(unit_id: int):
    """Show everything that happened to a unit's record, oldest first."""
    unit = get_unit(unit_id)
    history = views.object_history("Unit", unit.id, page=request.args.get("page", 1, type=int))
    return _history(
        _("Nhật ký đơn vị %(n)s (%(c)s)", n=unit.name, c=unit.code),
        None,
        [(_("Các thay đổi về đơn vị"), history, "page", False)],
    )
