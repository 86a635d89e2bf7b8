"""The in-app inbox, the bell with the unread count, and each person's email choice."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField

from tracker.clock import utcnow
from tracker.notify import services
from tracker.org.models import EmailMode
from tracker.web.forms import safe_next
from tracker.web.templating import PageOf

bp = Blueprint("notify", __name__)

EMAIL_MODE_LABELS = {
    EmailMode.IMMEDIATE: _l("Gửi thư ngay khi có thông báo"),
    EmailMode.DIGEST: _l("Gộp thành một thư tổng hợp mỗi sáng"),
    EmailMode.NONE: _l("Không gửi thư, chỉ xem trong hệ thống"),
}


class EmailModeForm(FlaskForm):
    email_mode = RadioField(
        _l("Nhận thông báo qua thư điện tử"), choices=list(EMAIL_MODE_LABELS.items())
    )
    submit = SubmitField(_l("Lưu lựa chọn"))


@bp.app_context_processor
def _bell() -> dict:
    if current_user.is_authenticated:
        return {"unread_count": services.unread_count(current_user)}
    return {"unread_count": 0}


@bp.route("/notifications")
@login_required
def inbox():
    """Show the person's notifications, newest first."""
    page = request.args.get("page", 1, type=int)
    notes, total = services.inbox(current_user, page=page, per_page=INBOX_PAGE)
    return render_template("notify/inbox.html", notes=notes, result=PageOf(page, INBOX_PAGE, total))


INBOX_PAGE = 30


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read():
    """Mark one notification (or all of them) read."""
    note_id = request.form.get("id", type=int)
    services.mark_read(current_user, [note_id] if note_id else None, now=utcnow())
    inbox_url = url_for("notify.inbox")
    return redirect(safe_next(request.form.get("next"), inbox_url) if note_id else inbox_url)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Show the person's own details and let them choose how they get email."""
    form = EmailModeForm(email_mode=current_user.email_mode.value)
    if form.validate_on_submit():
        services.set_email_mode(current_user, EmailMode(form.email_mode.data), now=utcnow())
        flash(_("Đã lưu cách nhận thông báo."), "success")
        return redirect(url_for("notify.profile"))
    return render_template("notify/profile.html", form=form)
