"""Admin pages: register receiving systems, see what was sent to them, send again."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.auth.forms import ConfirmForm
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.org.permissions import admin_required
from tracker.web.forms import form_status, refusal_shown_on
from tracker.webhooks import services
from tracker.webhooks.models import EVENT_LABELS, Webhook

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


class WebhookForm(FlaskForm):
    name = StringField(_l("Tên hệ thống nhận"), validators=[DataRequired(), Length(max=120)])
    url = StringField(
        _l("Địa chỉ nhận (URL)"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("Hệ thống nhận phải trả lời mã 2xx; nếu không sẽ được gửi lại sau."),
    )
    events = SelectMultipleField(
        _l("Sự kiện"),
        choices=[(k.value, _l(v)) for k, v in EVENT_LABELS.items()],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    submit = SubmitField(_l("Đăng ký"))


def _render_list(form: WebhookForm, created: tuple[Webhook, str] | None = None):
    hooks = db.session.scalars(db.select(Webhook).order_by(Webhook.name, Webhook.id)).all()
    return render_template(
        "webhooks/list.html",
        form=form,
        hooks=hooks,
        created=created,
        labels=EVENT_LABELS,
        confirm=ConfirmForm(),
    )


@bp.route("", methods=["GET", "POST"])
@login_required
@admin_required
def index():
    """List the receiving systems and register a new one."""
    form = WebhookForm()
    if form.validate_on_submit():
        with refusal_shown_on(form, partial(_render_list, form)):
            created = services.register_webhook(
                name=form.name.data,
                url=form.url.data,
                events=form.events.data,
                actor=current_user,
                now=utcnow(),
            )
        # The signing key is shown on this page only: not through a redirect.
        return _render_list(WebhookForm(formdata=None), created=created)
    return _render_list(form), form_status()


@bp.route("/<int:webhook_id>")
@login_required
@admin_required
def detail(webhook_id: int):
    """Show a receiver and its latest deliveries: status, answers, errors."""
    webhook = services.get_webhook(webhook_id)
    return render_template(
        "webhooks/detail.html",
        webhook=webhook,
        deliveries=services.recent_deliveries(webhook),
        labels=EVENT_LABELS,
        confirm=ConfirmForm(),
    )


@bp.route("/<int:webhook_id>/active/<int:active>", methods=["POST"])
@login_required
@admin_required
def set_active(webhook_id: int, active: int):
    """Pause (0) or resume (1) deliveries to a receiver."""
    webhook = services.get_webhook(webhook_id)
    if ConfirmForm().validate_on_submit():
        services.set_active(webhook, bool(active), actor=current_user, now=utcnow())
        flash(_("Đã tiếp tục gửi.") if active else _("Đã tạm dừng gửi."), "success")
    return redirect(url_for("webhooks.detail", webhook_id=webhook.id))


@bp.route("/deliveries/<int:delivery_id>/retry", methods=["POST"])
@login_required
@admin_required
def retry(delivery_id: int):
    """Send a delivery again (after the receiving system is fixed)."""
    if ConfirmForm().validate_on_submit():
        delivery = services.redeliver(delivery_id, actor=current_user, now=utcnow())
        flash(_("Đã đưa vào hàng đợi gửi lại."), "success")
        return redirect(url_for("webhooks.detail", webhook_id=delivery.webhook_id))
    return redirect(url_for("webhooks.index"))
